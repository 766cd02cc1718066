// manager.conf's read/write classes: which events a session is sent and which actions it may send.
// Asterisk delivers an event only when the session's read classes include the event's class
// ((readperm & category) == category in main/manager.c), and runs an action when the session's
// write classes share one class with the action's, or the action needs none.

export const AMI_CLASSES = [
  'system', 'call', 'log', 'verbose', 'command', 'agent', 'user', 'config', 'dtmf', 'reporting', 'cdr',
  'dialplan', 'originate', 'agi', 'cc', 'aoc', 'test', 'security', 'message',
] as const;
export type AmiClass = (typeof AMI_CLASSES)[number];

/** "call,agent,dialplan,user", "all", a list, or nothing (= all, as the default users have). */
export function parseClasses(spec: string | readonly string[] | undefined): Set<AmiClass> {
  if (spec === undefined) return new Set(AMI_CLASSES);
  const words = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((w) => w.trim().toLowerCase()).filter(Boolean);
  if (words.includes('all')) return new Set(AMI_CLASSES);
  const out = new Set<AmiClass>();
  for (const w of words) {
    if (!(AMI_CLASSES as readonly string[]).includes(w)) throw new Error(`unknown AMI class "${w}"`);
    out.add(w as AmiClass);
  }
  return out;
}

/** The class of each event the simulator sends (its `Privilege: <class>,all` header). */
const EVENT_CLASS: Record<string, AmiClass> = {
  FullyBooted: 'system', Shutdown: 'system',
  SuccessfulAuth: 'security',
  DTMFBegin: 'dtmf', DTMFEnd: 'dtmf',
  VarSet: 'dialplan',
  UserEvent: 'user',
  QueueCallerJoin: 'agent', QueueCallerLeave: 'agent', QueueCallerAbandon: 'agent',
  AgentCalled: 'agent', AgentConnect: 'agent', AgentComplete: 'agent', AgentRingNoAnswer: 'agent',
  QueueMemberAdded: 'agent', QueueMemberRemoved: 'agent', QueueMemberPause: 'agent', QueueMemberStatus: 'agent',
};

/** Channel, dial, bridge and originate events are class call. */
export const eventClass = (event: string): AmiClass => EVENT_CLASS[event] ?? 'call';

/**
 * The classes an action needs (any one of them); [] needs none. From the registrations in Asterisk
 * 22: main/manager.c, apps/app_queue.c, apps/app_mixmonitor.c. MixMonitor needs `system`, not `call`.
 */
export const ACTION_CLASSES: Record<string, readonly AmiClass[]> = {
  ping: [], logoff: [],
  queuestatus: [], queuesummary: [],
  queueadd: ['agent'], queueremove: ['agent'], queuepause: ['agent'],
  originate: ['originate'],
  hangup: ['system', 'call'],
  getvar: ['call', 'reporting'],
  coreshowchannels: ['system', 'reporting'],
  mixmonitor: ['system'],
  command: ['command'],
};
