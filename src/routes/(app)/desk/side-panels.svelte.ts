// Beside the form: the resident's earlier appeals, the building's other appeals of the last 90 days
// and the announcements that affect it. Loaded for one caller at a time: a late answer for the
// previous caller is dropped.
import { api } from '$lib/api';
import type { Announcement, AppealSummary, Building, Resident } from './desk';

export class SidePanels {
  history = $state<AppealSummary[]>([]);
  neighbours = $state<AppealSummary[]>([]);
  announcements = $state<Announcement[]>([]);

  #loading: AbortController | null = null;

  /** `known` are the call card's announcements: shown when the building's own list cannot be read. */
  async load(resident: Resident | null, building: Building | null, known: Announcement[] = []) {
    this.#loading?.abort();
    const ctl = (this.#loading = new AbortController());
    const get = <T>(path: string, fallback: T) => api<T>(path, { signal: ctl.signal }).catch(() => fallback);
    const [history, neighbours, announcements] = await Promise.all([
      resident ? get<AppealSummary[]>(`/api/residents/${resident.id}/appeals`, []) : [],
      building ? get<AppealSummary[]>(`/api/buildings/${building.id}/appeals?days=90${resident ? `&excludeResident=${resident.id}` : ''}`, []) : [],
      building ? get<Announcement[]>(`/api/buildings/${building.id}/announcements`, known) : known,
    ]);
    if (ctl.signal.aborted) return;
    this.history = history;
    this.neighbours = neighbours;
    this.announcements = announcements.length ? announcements : known;
  }

  clear() {
    this.#loading?.abort();
    this.history = []; this.neighbours = []; this.announcements = [];
  }
}
