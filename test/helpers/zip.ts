import { unzipSync } from 'fflate';

/** The entries of a ZIP archive in order, read with fflate (the library the export writes with). */
export function readZip(archive: Uint8Array): { name: string; data: Buffer }[] {
  return Object.entries(unzipSync(archive)).map(([name, data]) => ({ name, data: Buffer.from(data) }));
}
