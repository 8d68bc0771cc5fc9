import type { EngineLogLine } from './container-engine.js';

/**
 * Docker's log stream for a container without a TTY is multiplexed: each frame is an 8-byte header
 * (stream type in byte 0 — 1 stdout, 2 stderr —, payload length big-endian in bytes 4–7) and the
 * payload. With `timestamps`, each line starts with an RFC 3339 time and a space. A TTY container's
 * stream has no frames: it is all stdout.
 */
export function demuxLogs(raw: Buffer): EngineLogLine[] {
  const chunks: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  if (isMultiplexed(raw)) {
    let at = 0;
    while (at + 8 <= raw.length) {
      const kind = raw[at];
      const length = raw.readUInt32BE(at + 4);
      const payload = raw.subarray(at + 8, at + 8 + length);
      chunks.push({ stream: kind === 2 ? 'stderr' : 'stdout', text: payload.toString('utf8') });
      at += 8 + length;
    }
  } else {
    chunks.push({ stream: 'stdout', text: raw.toString('utf8') });
  }
  const lines: EngineLogLine[] = [];
  for (const chunk of chunks) {
    for (const line of chunk.text.split('\n')) {
      if (line === '') continue;
      const space = line.indexOf(' ');
      const time = space > 0 ? Date.parse(line.slice(0, space)) : Number.NaN;
      lines.push(
        Number.isNaN(time)
          ? { stream: chunk.stream, time: 0, message: line }
          : { stream: chunk.stream, time, message: line.slice(space + 1) },
      );
    }
  }
  return lines;
}

function isMultiplexed(raw: Buffer): boolean {
  return raw.length >= 8 && (raw[0] === 1 || raw[0] === 2) && raw[1] === 0 && raw[2] === 0 && raw[3] === 0;
}
