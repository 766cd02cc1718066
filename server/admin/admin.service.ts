// Administration: who has access and with which desk phone. A desk phone is the interface the
// operators' queue rings; two users with one phone would split its screen pops, and a phone no
// queue member has would never ring — the first is refused, the second returned as a warning.
import { canonicalInterface } from '../../vocabulary/telephony.ts';
import { conflict, notFound } from '../http/errors.ts';
import { FREE_TEXT_GRANT_ROLES } from '../../vocabulary/roles.ts';
import type { AuthRepo } from '../auth/auth.repo.ts';

export interface UserChange { sipInterface?: string | null; disabled?: boolean }

export function adminService(d: {
  users: Pick<AuthRepo, 'listUsers' | 'updateUser' | 'phoneInterfaces' | 'adminUser' | 'setAppealText'>;
  /** Whether a queue member has the interface; null while the PBX's queues are not known. */
  inQueue(raw: string): boolean | null;
}) {
  return {
    listUsers: () => d.users.listUsers(),

    async updateUser(id: number, change: UserChange) {
      if (change.sipInterface) {
        const key = canonicalInterface(change.sipInterface);
        const holder = (await d.users.phoneInterfaces()).find((u) => u.id !== id && canonicalInterface(u.sipInterface) === key);
        if (holder) throw conflict(`User ${holder.login} already has the phone interface ${key}`, { code: 'interface_taken', field: 'sipInterface', params: { login: holder.login } });
      }
      const user = await d.users.updateUser(id, change);
      if (!user) throw notFound(`No user ${id}`);
      const warnings: { code: 'interface_not_in_queue'; interface: string }[] = [];
      if (user.sipInterface && d.inQueue(user.sipInterface) === false) warnings.push({ code: 'interface_not_in_queue', interface: user.sipInterface });
      return { ...user, warnings };
    },

    /**
     * Lets an analyst read appeals' free text, or takes it back (vocabulary/roles.ts canSeeFreeText):
     * from the user's next request on. Other roles need no grant, so giving them one is refused.
     */
    async setAppealText(id: number, granted: boolean) {
      const user = await d.users.adminUser(id);
      if (!user) throw notFound(`No user ${id}`);
      if (!FREE_TEXT_GRANT_ROLES.includes(user.role)) {
        throw conflict(`The role ${user.role} reads appeals' text without a grant`, { code: 'grant_not_for_role', params: { role: user.role } });
      }
      return (await d.users.setAppealText(id, granted))!;
    },
  };
}
export type AdminService = ReturnType<typeof adminService>;
