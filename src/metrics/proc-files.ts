import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** ProcFile keeps a /proc file open and reads it again from the start: a fresh view each time. */
export class ProcFile {
  private fd?: number;
  private readonly buffer = Buffer.alloc(8192);

  constructor(path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch {
      // Not Linux: the metrics read from it are left out, as prom-client does.
    }
  }

  read(): string | undefined {
    if (this.fd === undefined) return undefined;
    return this.buffer.toString('latin1', 0, readSync(this.fd, this.buffer, 0, this.buffer.length, 0));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * pageSize is the size of a memory page, for /proc/self/statm, which counts in pages. It is
 * told by /proc/self/status, which gives the same virtual size in kB; the status file costs
 * nine times the statm file to read, so it is read once, here.
 */
export function pageSize(statm: ProcFile): number {
  const status = new ProcFile('/proc/self/status');
  const vmSize = /^VmSize:\s*(\d+) kB/m.exec(status.read() ?? '');
  status.close();
  const pages = Number((statm.read() ?? '').split(' ')[0]);
  if (!vmSize || !(pages > 0)) return 4096;
  // The two reads are a moment apart; round to the power of two they agree on.
  return 2 ** Math.round(Math.log2((Number(vmSize[1]) * 1024) / pages));
}

/** maxFds is the soft limit of open files, which does not change while the process runs. */
export function maxFds(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
