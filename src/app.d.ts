import type { User } from '$vocabulary/roles';
import type { Locale } from '$vocabulary/i18n/messages';
import type { IncomingMessage } from 'node:http';

declare global {
  namespace App {
    interface Locals { user: User | null; locale: Locale; now: Date; forbidden?: boolean; unavailable?: boolean }
    interface PageData { user: User | null; locale: Locale; now: string }
    interface Platform { req?: IncomingMessage & { mistoUser?: User | null; mistoSessionUnknown?: boolean; mistoNow?: Date; mistoTileUrl?: string } }
    interface Error { message: string }
  }
}
export {};
