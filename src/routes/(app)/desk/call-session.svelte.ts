// The operator's line: the screen-pop stream ($lib/live-stream: it comes back by itself), the PBX
// status it carries, and the call on the card as it goes ringing → answered → ended.
import { api } from '$lib/api';
import { LiveStream, type StreamState } from '$lib/live-stream.svelte';
import type { CallEvent, Resident, TelephonyStatus } from './desk';

export type { StreamState };

export class CallSession {
  call = $state<CallEvent | null>(null);
  telephony = $state<TelephonyStatus | null>(null);
  readonly demo = $derived(!!this.telephony?.demo);
  readonly #live: LiveStream;
  get stream(): StreamState { return this.#live.state; }

  #onNewCall: (ev: CallEvent) => void;
  /** Calls put away (Alt+N, consultation, registered after the end) and the last event seen of each:
   *  a replay after a reconnect does not pop them again, a later event (answered after Alt+N) does. */
  #dismissed = new Map<number, number>();

  constructor(opts: { status: TelephonyStatus | null; onNewCall: (ev: CallEvent) => void; url?: string }) {
    this.telephony = opts.status;
    this.#onNewCall = opts.onNewCall;
    this.#live = new LiveStream(opts.url ?? '/api/desk/events', {
      call: (data) => this.receive(data as CallEvent),
      status: (data) => { this.telephony = data as TelephonyStatus; },
    }, () => void this.#resync());
  }

  /** Opens the stream; the returned function closes it for good (the page's teardown). */
  connect(): () => void { return this.#live.connect(); }

  /** Back after a gap: the server replays the calls still in progress, but not one that ended meanwhile. */
  async #resync() {
    const call = this.call;
    if (!call || call.type === 'ended') return;
    const row = await api<{ hungupAt: string | null }>(`/api/calls/${call.callId}`).catch(() => null);
    if (row?.hungupAt && this.call?.callId === call.callId) this.call = { ...this.call, type: 'ended' };
  }

  /** One event of the stream. A call not on the card yet starts the desk over; the card's own call only moves on. */
  receive(ev: CallEvent) {
    const cur = this.call;
    if (cur && ev.callId === cur.callId) {
      // A replay after a reconnect, or an event overtaken by a later one, changes nothing; ended is final.
      if (ev.seq !== undefined && cur.seq !== undefined && ev.seq < cur.seq) return;
      if (cur.type === 'ended') return;
      this.call = { ...cur, type: ev.type, seq: ev.seq ?? cur.seq, reason: ev.reason };
      return;
    }
    // The end of a call that never reached this card (it rang elsewhere, was answered by another operator).
    if (ev.type === 'ended') return;
    const putAway = this.#dismissed.get(ev.callId);
    if (putAway !== undefined && (ev.seq === undefined || ev.seq <= putAway)) return;
    this.call = ev;
    this.#onNewCall(ev);
  }

  /** The unknown caller was just registered: the card shows who it was. */
  learnResident(r: Resident, phone: string) {
    if (this.call && this.call.phone === phone) this.call = { ...this.call, card: { ...this.call.card, resident: r } };
  }

  /** The call on the card was only a consultation: no appeal follows. */
  async consultation() {
    if (!this.call) return false;
    await api(`/api/calls/${this.call.callId}/consultation`, { method: 'POST', json: {} });
    return true;
  }

  /** Demo mode: the PBX simulator rings this operator from a resident's number (or its own pick). */
  simulate(phone: string) {
    const p = phone.trim();
    return api('/api/desk/simulate-call', { method: 'POST', json: p ? { phone: p } : {} });
  }

  clear() {
    if (this.call) this.#dismissed.set(this.call.callId, this.call.seq ?? Number.MAX_SAFE_INTEGER);
    this.call = null;
  }
}
