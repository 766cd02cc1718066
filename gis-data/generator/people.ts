// Residents of every apartment (families share a surname; patronymics follow the father's name)
// and their phones: unique E.164 numbers, mostly mobile (+380 50/66/67/68/73/93/95/96/97/98/99),
// some city landlines. Streams into COPY and keeps compact arrays for the appeals stage.
import type { Rng } from './random.ts';
import { Weighted } from './random.ts';
import type { Building } from './layout.ts';
import type { Preset } from './presets.ts';
import { SURNAMES, MALE_NAMES, FEMALE_NAMES, surname } from './names.ts';
import type { CopyWriter } from './copy.ts';
import { ts, DAY } from './time.ts';
import type { Progress } from '../progress.ts';

const MOBILE = [50, 66, 67, 68, 73, 93, 95, 96, 97, 98, 99];
const MOBILE_WEIGHTS = [16, 10, 16, 7, 8, 6, 9, 5, 9, 8, 6];

export interface People {
  count: number;
  building: Int32Array;   // resident index → building id
  apartment: Int32Array;  // apartment number, 0 = a house
  phone: Int32Array;      // digits after +380 of the first phone, 0 = none
}

/** Issues unique numbers: a bitmap per prefix over its 7 (mobile) or 6/7 (landline) digits. */
class PhoneBook {
  private used = new Map<number, Uint8Array>();
  constructor(private rng: Rng) {}
  issue(prefix: number, digits: number): number {
    const space = 10 ** digits;
    let bits = this.used.get(prefix);
    if (!bits) this.used.set(prefix, (bits = new Uint8Array(Math.ceil(space / 8))));
    for (;;) {
      const n = Math.floor(this.rng.next() * space);
      if (n < space / 10) continue; // subscriber numbers do not start with 0
      if (bits[n >> 3] & (1 << (n & 7))) continue;
      bits[n >> 3] |= 1 << (n & 7);
      return prefix * space + n;
    }
  }
}

/** Phones are kept as text chunks and copied after the residents: one connection runs one COPY at a time. */
export class Chunks {
  parts: string[] = []; private cur: string[] = []; private size = 0;
  push(s: string) { this.cur.push(s); this.size += s.length; if (this.size > 1 << 20) this.seal(); }
  seal() { if (this.cur.length) this.parts.push(this.cur.join('')); this.cur = []; this.size = 0; }
  async drainInto(w: CopyWriter) { this.seal(); for (const part of this.parts.splice(0)) await w.write(part); }
}

export async function writePeople(p: Preset, buildings: Building[], rng: Rng, now: number, residentsCopy: CopyWriter, phones: Chunks, progress: Progress): Promise<People> {
  const apartments = buildings.reduce((s, b) => s + b.apartments, 0);
  const mean = p.residents / apartments; // household size that lands on the preset's population
  const cap = p.residents + Math.ceil(p.residents * 0.05) + 16;
  const people: People = { count: 0, building: new Int32Array(cap), apartment: new Int32Array(cap), phone: new Int32Array(cap) };
  const book = new PhoneBook(rng.fork('phones'));
  const mobile = new Weighted(MOBILE, MOBILE_WEIGHTS);
  const landPrefix = Number(p.landline), landDigits = 9 - p.landline.length;
  const createdFrom = now - 6 * 365 * DAY;
  let remaining = p.residents, aptLeft = apartments;
  progress.start('residents and phones', p.residents);
  for (const b of buildings) {
    for (let a = 1; a <= b.apartments; a++) {
      // Household size: Poisson-like around the running mean, so the total lands on the target.
      const m = remaining / Math.max(1, aptLeft--);
      let k = Math.max(0, Math.round(m + rng.normal() * 0.9 * Math.min(1, m)));
      if (aptLeft === 0) k = remaining;
      k = Math.min(k, remaining, 8);
      remaining -= k;
      const family = rng.pick(SURNAMES);
      const father = rng.pick(MALE_NAMES);
      const hasLandline = rng.chance(0.06);
      for (let m2 = 0; m2 < k; m2++) {
        const idx = people.count++;
        const id = idx + 1;
        const female = m2 === 0 ? rng.chance(0.55) : m2 === 1 ? !rng.chance(0.55) : rng.chance(0.5);
        const sur = surname(rng.chance(0.85) ? family : rng.pick(SURNAMES), female);
        const first = female ? rng.pick(FEMALE_NAMES) : rng.pick(MALE_NAMES)[0];
        const dad = m2 >= 2 ? father : rng.pick(MALE_NAMES);
        const patr = female ? dad[2] : dad[1];
        const created = createdFrom + Math.floor(rng.next() * 5 * 365) * DAY + rng.int(8, 19) * 3_600_000;
        const apt = b.type === 'private' && b.apartments === 1 ? 0 : a;
        if (residentsCopy.push(`${id}\t${sur} ${first} ${patr}\t${b.id}\t${apt ? apt : '\\N'}\t${ts(created)}\n`)) await residentsCopy.flush();
        people.building[idx] = b.id; people.apartment[idx] = apt;
        const adult = m2 < 2 || rng.chance(0.55);
        if (adult && rng.chance(0.93)) {
          const num = book.issue(mobile.sample(rng), 7);
          people.phone[idx] = num;
          phones.push(`+380${num}\t${id}\t${ts(created)}\n`);
        }
        if (m2 === 0 && hasLandline) {
          const num = book.issue(landPrefix, landDigits);
          if (!people.phone[idx]) people.phone[idx] = num;
          phones.push(`+380${num}\t${id}\t${ts(created)}\n`);
        }
        progress.tick();
      }
    }
  }
  progress.finish();
  return people;
}
