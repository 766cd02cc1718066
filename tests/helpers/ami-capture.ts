// AMI transcripts captured from a real Asterisk (tests/fixtures/ami/*.jsonl) as event tables: the
// frames Asterisk sent, each parsed as the product's AMI client parses a block (a repeated header
// keeps its last value), at the millisecond it arrived.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlockParser } from '../../server/telephony/ami-wire.ts';
import type { AmiEvent, EventRow } from './tracker-rig.ts';

export interface Capture {
  scenario: string;
  asterisk: string;
  description: string;
  recordings?: { path: string; bytes: number }[];
  /** Every event Asterisk sent (responses to the capture client's actions left out). */
  events: EventRow[];
}

export function readCapture(scenario: string): Capture {
  const [head, ...lines] = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'ami', `${scenario}.jsonl`), 'utf8').trim().split('\n');
  const events: EventRow[] = [];
  for (const line of lines) {
    const f = JSON.parse(line) as { t: number; dir: 'in' | 'out' | 'meta'; frame?: string };
    if (f.dir !== 'in' || !f.frame) continue;
    for (const block of new BlockParser().push(f.frame)) {
      const event = Object.fromEntries(block) as AmiEvent;
      if (event.Event) events.push([f.t, event]);
    }
  }
  return { ...JSON.parse(head), events };
}
