// OSM extracts for tests, from one description: as OSM XML and as a real .osm.pbf (the binary
// format of planet dumps and Geofabrik extracts: zlib-compressed protobuf blocks).
import { deflateSync } from 'node:zlib';
import { PbfWriter } from 'pbf';

export type Tags = Record<string, string>;
export interface OsmData {
  nodes: { id: number; lat: number; lon: number; tags?: Tags }[];
  ways: { id: number; refs: number[]; tags: Tags }[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const tagsXml = (t: Tags = {}) => Object.entries(t).map(([k, v]) => `<tag k="${esc(k)}" v="${esc(v)}"/>`).join('');

export function osmXml(d: OsmData): string {
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="misto-test">',
    ...d.nodes.map((n) => ` <node id="${n.id}" lat="${n.lat}" lon="${n.lon}">${tagsXml(n.tags)}</node>`),
    ...d.ways.map((w) => ` <way id="${w.id}">${w.refs.map((r) => `<nd ref="${r}"/>`).join('')}${tagsXml(w.tags)}</way>`),
    '</osm>'].join('\n');
}

function blob(type: 'OSMHeader' | 'OSMData', payload: Uint8Array): Buffer {
  const body = new PbfWriter();
  body.writeVarintField(2, payload.length); // raw_size
  body.writeBytesField(3, deflateSync(payload)); // zlib_data
  const blobBytes = body.finish();
  const header = new PbfWriter();
  header.writeStringField(1, type);
  header.writeVarintField(3, blobBytes.length); // datasize
  const headerBytes = header.finish();
  const len = Buffer.alloc(4);
  len.writeUInt32BE(headerBytes.length);
  return Buffer.concat([len, headerBytes, blobBytes]);
}

export function osmPbf(d: OsmData): Buffer {
  const head = new PbfWriter();
  head.writeStringField(4, 'OsmSchema-V0.6'); // required_features
  head.writeStringField(16, 'misto-test'); // writingprogram

  // One block: string table, a group of nodes, a group of ways. Coordinates in 1e-7 degrees
  // (granularity 100 nanodegrees, no offset).
  const strings = [''];
  const index = new Map<string, number>([['', 0]]);
  const str = (s: string) => {
    if (!index.has(s)) { index.set(s, strings.length); strings.push(s); }
    return index.get(s)!;
  };
  const keysVals = (t: Tags = {}) => [Object.keys(t).map(str), Object.values(t).map(str)];
  const nodes = d.nodes.map((n) => ({ ...n, kv: keysVals(n.tags) }));
  const ways = d.ways.map((w) => ({ ...w, kv: keysVals(w.tags) }));
  const block = new PbfWriter();
  block.writeMessage(1, (_: unknown, p: PbfWriter) => strings.forEach((s) => p.writeBytesField(1, Buffer.from(s, 'utf8'))), null);
  block.writeMessage(2, (_: unknown, p: PbfWriter) => {
    for (const n of nodes) {
      p.writeMessage(1, (_: unknown, q: PbfWriter) => {
        q.writeSVarintField(1, n.id);
        q.writePackedVarint(2, n.kv[0]);
        q.writePackedVarint(3, n.kv[1]);
        q.writeSVarintField(8, Math.round(n.lat * 1e7));
        q.writeSVarintField(9, Math.round(n.lon * 1e7));
      }, null);
    }
  }, null);
  block.writeMessage(2, (_: unknown, p: PbfWriter) => {
    for (const w of ways) {
      p.writeMessage(3, (_: unknown, q: PbfWriter) => {
        q.writeVarintField(1, w.id);
        q.writePackedVarint(2, w.kv[0]);
        q.writePackedVarint(3, w.kv[1]);
        q.writePackedSVarint(8, w.refs.map((r, i) => r - (i ? w.refs[i - 1] : 0))); // delta-coded
      }, null);
    }
  }, null);
  return Buffer.concat([blob('OSMHeader', head.finish()), blob('OSMData', block.finish())]);
}
