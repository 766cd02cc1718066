// The appeal being filled: category, text, the object or point picked on the map; the catalogue's
// executor and due date for that category at that place, the operator's overrides with their
// reasons; and registration, idempotent under retries.
import { api, isAbort } from '$lib/api';
import { t } from '$lib/i18n';
import { APPEAL_TEXT, REASON } from '$vocabulary/appeals';
import {
  DeskError, newRequestId, retrying, toLocalInput,
  type Attached, type CatalogueCategory, type Suggestion,
} from './desk';

/** What the appeal is attached to besides the form's own pick: the caller and the call. */
export interface AppealContext {
  residentId?: number; buildingId?: number; apartment?: string; phone?: string; callId?: number;
}

export interface Registered { id: number; number: string }

export class AppealForm {
  category = $state<CatalogueCategory | null>(null);
  text = $state('');
  attached = $state<Attached | null>(null);
  suggestion = $state<Suggestion | null>(null);
  override = $state(false);
  executorId = $state<number | null>(null);
  executorReason = $state('');
  due = $state('');
  dueReason = $state('');
  registering = $state(false);

  readonly executorChanged = $derived(this.override && this.executorId !== null && this.executorId !== (this.suggestion?.executor?.id ?? null));
  readonly dueChanged = $derived(this.override && !!this.suggestion && this.due !== '' && this.due !== toLocalInput(this.suggestion.dueAt));

  // One id per appeal: a retry after a lost answer (network, restart) cannot make a second appeal.
  #requestId = newRequestId();
  #suggesting: { ctl: AbortController; categoryId: number } | null = null;

  /**
   * Asks the catalogue who does it and by when, for the chosen category at this place. A newer
   * question cancels the one in flight, so a late answer for an earlier category (or place) never
   * lands on the form. Call it from an effect: it reads the category and the pick.
   */
  async suggest(buildingId: number | undefined): Promise<void> {
    const c = this.category;
    const at = this.attached;
    this.#suggesting?.ctl.abort();
    if (!c) { this.#suggesting = null; this.suggestion = null; return; }
    // Another category's executor must not stay on screen while this one's is asked for.
    if (this.#suggesting?.categoryId !== c.id) this.suggestion = null;
    const ctl = new AbortController();
    this.#suggesting = { ctl, categoryId: c.id };
    const q = new URLSearchParams({ categoryId: String(c.id) });
    if (buildingId) q.set('buildingId', String(buildingId));
    if (at?.infraObjectId) q.set('infraObjectId', String(at.infraObjectId));
    if (at) { q.set('lon', String(at.lon)); q.set('lat', String(at.lat)); }
    try {
      const s = await api<Suggestion>(`/api/catalogue/suggestion?${q}`, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      this.suggestion = s;
      if (!this.override) { this.executorId = s.executor?.id ?? null; this.due = toLocalInput(s.dueAt); }
    } catch (e) {
      if (!isAbort(e)) throw e;
    }
  }

  /** Checks what the server would refuse anyway, then registers; the form is empty again afterwards. */
  async register(who: AppealContext): Promise<Registered | null> {
    if (this.registering) return null;
    if (!this.category) throw new DeskError(t('desk.form.needCategory'), 'category');
    if (this.text.trim().length < APPEAL_TEXT.min) throw new DeskError(t('desk.form.textShort'), 'text');
    if (!who.residentId && !who.buildingId && !this.attached) throw new DeskError(t('desk.form.needPlace'));
    if ((this.executorChanged && this.executorReason.trim().length < REASON.min) || (this.dueChanged && this.dueReason.trim().length < REASON.min)) {
      throw new DeskError(t('desk.form.reasonShort'));
    }
    const body: Record<string, unknown> = {
      categoryId: this.category.id, text: this.text, residentId: who.residentId, buildingId: who.buildingId,
      apartment: who.apartment || undefined, phone: who.phone || undefined, callId: who.callId,
      infraObjectId: this.attached?.infraObjectId ?? undefined,
      point: this.attached ? { lon: this.attached.lon, lat: this.attached.lat } : undefined,
    };
    if (this.executorChanged) { body.executorId = this.executorId; body.executorOverrideReason = this.executorReason; }
    if (this.dueChanged) { body.dueAt = new Date(this.due).toISOString(); body.dueOverrideReason = this.dueReason; }
    this.registering = true;
    try {
      const requestId = this.#requestId;
      const r = await retrying(() => api<Registered>('/api/appeals', { method: 'POST', json: body, headers: { 'Idempotency-Key': requestId } }));
      this.reset();
      return r;
    } finally {
      this.registering = false;
    }
  }

  reset() {
    this.#suggesting?.ctl.abort();
    this.#suggesting = null;
    this.#requestId = newRequestId();
    this.category = null; this.text = ''; this.attached = null; this.suggestion = null; this.override = false;
    this.executorId = null; this.executorReason = ''; this.due = ''; this.dueReason = '';
  }
}
