import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32 (IEEE), incremental: pass the previous result to continue over more bytes. */
export function crc32js(data: Uint8Array, previous = 0): number {
  table ??= makeTable();
  let c = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

// zlib.crc32 exists from Node 20.15; it is native and much faster, with identical results.
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export const crc32: (data: Uint8Array, previous?: number) => number = native
  ? (data, previous = 0) => native(data, previous) >>> 0
  : crc32js;
