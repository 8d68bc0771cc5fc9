import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

const pad = (version: number) => String(version).padStart(20, '0');

export const segmentName = (firstVersion: number) => `wal-${pad(firstVersion)}.log`;
export const snapshotName = (version: number) => `snapshot-${pad(version)}.snap`;

const SEGMENT = /^wal-(\d{20})\.log$/;
const SNAPSHOT = /^snapshot-(\d{20})\.snap$/;

export const parseSegmentName = (name: string): number | undefined => {
  const m = SEGMENT.exec(name);
  return m ? Number(m[1]) : undefined;
};

export const parseSnapshotName = (name: string): number | undefined => {
  const m = SNAPSHOT.exec(name);
  return m ? Number(m[1]) : undefined;
};

export async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, null);
    off += bytesWritten;
  }
}

/** Makes a rename or file creation in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
