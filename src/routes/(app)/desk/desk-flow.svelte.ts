// What the desk's steps do to its parts: a screen pop starts over with the caller's card, a found
// caller loads the side panels and moves on to the category, a registration empties the form for
// the next call, Alt+N starts a walk-in. The parts keep their own state (call-session, caller,
// appeal-form, side-panels); this holds only what spans them: the banner, the error and the notice.
import { errorText } from '$lib/api';
import { t } from '$lib/i18n';
import type { GeocodeHit } from '$lib/map/geocode';
import { CallSession } from './call-session.svelte';
import { Caller } from './caller.svelte';
import { AppealForm, type Registered } from './appeal-form.svelte';
import { SidePanels } from './side-panels.svelte';
import { DeskError, looksLikePhone, type CallEvent, type FocusTarget, type Resident, type TelephonyStatus } from './desk';

export class DeskFlow {
  readonly session: CallSession;
  readonly caller = new Caller();
  readonly form = new AppealForm();
  readonly panels = new SidePanels();

  registered = $state<Registered | null>(null);
  error = $state('');
  notice = $state('');

  #focus: (target: FocusTarget) => void;

  constructor(opts: { status: TelephonyStatus | null; focus: (target: FocusTarget) => void }) {
    this.#focus = opts.focus;
    this.session = new CallSession({ status: opts.status, onNewCall: (ev) => this.#onNewCall(ev) });
  }

  /** Shows any failure as the sentence the operator reads: ours, or the server's code in the page's language. */
  fail(e: unknown) {
    if (e instanceof DeskError) {
      this.error = e.message;
      if (e.focus) this.#focus(e.focus);
    } else {
      this.error = errorText(e);
    }
  }

  #clearMessages() { this.error = ''; this.notice = ''; }

  async #onNewCall(ev: CallEvent) {
    this.form.reset();
    this.registered = null;
    this.#clearMessages();
    this.caller.fromCall(ev);
    if (ev.card.resident) await this.#known();
    else { this.panels.clear(); this.#focus('search'); }
  }

  /** The caller is known (or the appeal goes on without one): the panels, then the category. */
  async #known() {
    this.#focus('category');
    await this.panels.load(this.caller.resident, this.caller.building, this.session.call?.card.announcements);
  }

  async chooseResident(r: Resident) {
    this.caller.select(r);
    await this.#known();
  }

  /** Enter in the search box with a phone number in it. */
  async findByPhone(q: string) {
    this.#clearMessages();
    if (!looksLikePhone(q)) return;
    try {
      if (await this.caller.lookup(q.trim())) await this.#known();
      else this.#focus('search');
    } catch (e) { this.fail(e); }
  }

  async pickBuilding(hit: GeocodeHit) {
    this.#clearMessages();
    const unknown = this.caller.mode === 'unknown';
    const residents = this.caller.pickBuilding(hit);
    void this.panels.load(this.caller.resident, this.caller.building, this.session.call?.card.announcements);
    await residents;
    this.#focus(unknown ? 'new-apartment' : 'building-residents');
  }

  async createResident() {
    this.#clearMessages();
    try {
      const phone = this.caller.phone;
      const r = await this.caller.create();
      this.notice = t('desk.unknown.created', { name: r.fullName });
      this.session.learnResident(r, phone);
      await this.#known();
    } catch (e) { this.fail(e); }
  }

  async anonymous() {
    this.caller.anonymous();
    await this.#known();
  }

  async register() {
    this.error = '';
    try {
      const c = this.caller;
      const r = await this.form.register({
        residentId: c.resident?.id, buildingId: c.building?.id, apartment: c.apartment, phone: c.phone,
        callId: this.session.call?.callId,
      });
      if (!r) return;
      this.registered = r;
      this.#focus('category');
      if (this.session.call?.type === 'ended') this.session.clear();
      await this.panels.load(c.resident, c.building, this.session.call?.card.announcements);
    } catch (e) { this.fail(e); }
  }

  /** Alt+N: a new appeal without a call (a walk-in, a callback): start from the search box. */
  newAppeal() {
    this.form.reset();
    this.session.clear();
    this.caller.clear();
    this.panels.clear();
    this.registered = null;
    this.#clearMessages();
    this.#focus('search');
  }

  async consultation() {
    try {
      if (!(await this.session.consultation())) return;
      this.newAppeal();
      this.notice = t('desk.call.consultationDone');
    } catch (e) { this.fail(e); }
  }

  async simulate(phone: string) {
    this.error = '';
    try { await this.session.simulate(phone); } catch (e) { this.fail(e); }
  }
}
