import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Memory is a process' resident set now and at its peak (VmHWM), in bytes, from /proc. */
export interface Memory {
  rssBytes: number;
  peakRssBytes: number;
}

/** memoryOf reads /proc/<pid>/status; VmHWM is the kernel's own high-water mark, so no peak is missed between samples. */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/** Descriptors counts a process' open descriptors and how many of them are sockets. */
export interface Descriptors {
  total: number;
  sockets: number;
}

/** descriptorsOf lists /proc/<pid>/fd; a descriptor closed while it is being listed is skipped. */
export function descriptorsOf(pid: number): Descriptors {
  let sockets = 0;
  const fds = readdirSync(`/proc/${pid}/fd`);
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // Closed meanwhile.
    }
  }
  return { total: fds.length, sockets };
}

/** openFilesLimit is this process' soft and hard RLIMIT_NOFILE, from /proc/self/limits. */
export function openFilesLimit(): { soft: number; hard: number } {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const value = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text));
  return { soft: value(line?.[1]), hard: value(line?.[2]) };
}
