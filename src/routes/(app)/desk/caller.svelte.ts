// Who is calling: a resident known by their number, or a building found by address and the resident
// registered there, or nobody in particular (an anonymous appeal about a building). Holds the phone
// number the appeal and a new resident take.
import { api } from '$lib/api';
import { t } from '$lib/i18n';
import type { GeocodeHit } from '$lib/map/geocode';
import { DeskError, type Building, type CallEvent, type Resident } from './desk';

/** idle: nobody yet · unknown: a number to register · building: a building, its residents to choose from · known: go on to the appeal */
export type CallerMode = 'idle' | 'unknown' | 'known' | 'building';

export class Caller {
  resident = $state<Resident | null>(null);
  building = $state<Building | null>(null);
  apartment = $state('');
  phone = $state('');
  mode = $state<CallerMode>('idle');
  /** The search box: a phone number or an address. */
  query = $state('');
  buildingResidents = $state<Resident[]>([]);
  newName = $state('');
  newApartment = $state('');

  #picking: AbortController | null = null;

  select(r: Resident) {
    this.resident = r;
    this.building = r.building;
    this.apartment = r.apartment ?? '';
    if (!this.phone && r.phones.length) this.phone = r.phones[0];
    this.mode = 'known';
    this.query = '';
  }

  /** A number typed in the search box: its resident, or an unknown caller to register. */
  async lookup(q: string): Promise<Resident | null> {
    const found = await api<{ phone: string; resident: Resident | null }>(`/api/residents/lookup?phone=${encodeURIComponent(q)}`);
    this.phone = found.phone;
    if (found.resident) this.select(found.resident);
    else this.startUnknown(found.phone);
    return found.resident;
  }

  /** An address picked in the search box: the building and who lives there. */
  async pickBuilding(hit: GeocodeHit) {
    this.building = { id: hit.buildingId, address: hit.address, lon: hit.lon, lat: hit.lat };
    this.query = '';
    if (this.mode !== 'unknown') this.mode = 'building';
    this.#picking?.abort();
    const ctl = (this.#picking = new AbortController());
    const residents = await api<Resident[]>(`/api/buildings/${hit.buildingId}/residents`, { signal: ctl.signal }).catch(() => []);
    if (!ctl.signal.aborted) this.buildingResidents = residents;
  }

  startUnknown(number: string) {
    this.resident = null;
    this.mode = 'unknown';
    this.phone = number;
  }

  /** The appeal goes on without a resident: about the building only. */
  anonymous() { this.mode = 'known'; }

  /** Registers the unknown caller in the chosen building and saves their number. */
  async create(): Promise<Resident> {
    if (!this.building) throw new DeskError(t('desk.unknown.pickBuilding'), 'search');
    if (this.newName.trim().length < 2) throw new DeskError(t('desk.unknown.needName'), 'new-name');
    const r = await api<Resident>('/api/residents', {
      method: 'POST',
      json: { fullName: this.newName, buildingId: this.building.id, apartment: this.newApartment, phone: this.phone || undefined },
    });
    this.newName = '';
    this.newApartment = '';
    this.select(r);
    return r;
  }

  /** A screen pop: the card's resident, or its number to find an address for. */
  fromCall(ev: CallEvent) {
    this.buildingResidents = [];
    this.phone = ev.phone ?? '';
    if (ev.card.resident) { this.select(ev.card.resident); return; }
    this.building = null;
    this.apartment = '';
    this.startUnknown(this.phone);
  }

  clear() {
    this.#picking?.abort();
    this.resident = null; this.building = null; this.apartment = ''; this.phone = ''; this.mode = 'idle';
    this.query = ''; this.buildingResidents = []; this.newName = ''; this.newApartment = '';
  }
}
