// Shapes the desk reads from the API, and the small helpers its modules share.
import { ApiError } from '$lib/api';

export interface CatalogueCategory {
  id: number; sphereId: number; code: string; name: string; nameEn: string;
  executorRule: 'housing_office' | 'district' | 'fixed'; executorId: number | null; executorName: string | null;
  deadlineHours: number; survey: boolean; infraKind: string | null;
}
export interface Sphere { id: number; code: string; name: string; nameEn: string; categories: CatalogueCategory[] }
export interface Executor { id: number; code: string; name: string; nameEn: string | null; kind: string }
export interface Building { id: number; address: string; lon: number; lat: number; apartments?: number }
export interface Resident { id: number; fullName: string; apartment: string | null; phones: string[]; building: Building | null }
export interface Announcement { id: number; kind: string; utility: string | null; title: string; startsAt: string; endsAt: string | null; executor?: string | { name: string } | null }
export interface AppealSummary {
  id: number; number: string; status: string; text: string | null; createdAt: string; dueAt: string; overdue: boolean;
  category: { id: number; name: string; nameEn: string }; executor: { id: number; name: string; nameEn: string | null };
  address: string | null; apartment: string | null; residentName: string | null;
  /** The free text was withheld (an analyst without the grant): `text` is null. */
  textHidden?: true;
}
export interface OpenAppeal { id: number; number: string; status: string; category: string; categoryEn: string; executor: string }
export interface CallCard { resident: Resident | null; openAppeals: OpenAppeal[]; announcements: Announcement[] }
export interface CallEvent {
  type: 'ringing' | 'answered' | 'ended'; callId: number; uniqueid: string; phone: string | null; queue?: string | null; card: CallCard;
  /** Grows with every event of one call: a replayed or late event never moves the card back. */
  seq?: number; reason?: string;
}
export interface Suggestion { executor: Executor | null; dueAt: string; source: string }
export interface TelephonyStatus { demo: boolean; connected: boolean; error?: string | null }
export interface Attached { infraObjectId: number | null; kind: string | null; name: string | null; lon: number; lat: number }

/** A mistake the desk catches before asking the server: already in the page's language, with the field to fix. */
export class DeskError extends Error {
  constructor(message: string, readonly focus?: FocusTarget) { super(message); }
}

/** The places the desk moves the keyboard focus to as the operator goes from step to step. */
export type FocusTarget = 'search' | 'category' | 'text' | 'new-apartment' | 'new-name' | 'building-residents';

/** A UUID v4 for Idempotency-Key; crypto.randomUUID exists only on HTTPS, a city LAN may be plain HTTP. */
export function newRequestId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Runs an idempotent call again after a network failure or a 503 (the server restarting), a few times. */
export async function retrying<T>(call: () => Promise<T>, delays = [500, 1500, 4000]): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (e) {
      // 0 is no answer at all (network, a restarting instance); an abort is the operator's own doing.
      const transient = e instanceof ApiError && [0, 502, 503, 504].includes(e.status);
      if (!transient || i >= delays.length) throw e;
      await new Promise((r) => setTimeout(r, delays[i]));
    }
  }
}

/** Something typed in the search box is a phone number when it is mostly digits. */
export const looksLikePhone = (s: string) => /^[\s+()\d-]{7,}$/.test(s.trim()) && s.replace(/\D/g, '').length >= 9;

/** ISO → the value a datetime-local input wants, in the browser's zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
