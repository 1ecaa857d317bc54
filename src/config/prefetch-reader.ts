import type { FileReader } from './sources';
import { FileReadError, readRegularFileWithin } from '../regular-file';

/**
 * PREFETCH_READS is how many files are read at once. Each read is five calls on libuv's four
 * threads, each answered on a turn of the event loop: with scrapes keeping the loop busy (a
 * render of 10 000 accounts holds it most of a second), more reads in flight finish more
 * files a turn. A scrape's own token read waits behind at most this many calls of a few
 * microseconds.
 */
const PREFETCH_READS = 64;

/**
 * PREFETCH_ROUNDS bounds how often the parse may name files not read yet: the accounts
 * file, then the token and credentials files it names; nothing names files beyond those.
 */
const PREFETCH_ROUNDS = 4;

/**
 * stranded holds the files whose read outlived an earlier deadline (a hung mount): asking
 * again would strand one more of libuv's threads, so they fail at once until it returns.
 */
const stranded = new Set<string>();

type Read = { ok: true; text: string } | { ok: false; error: unknown };

/**
 * parseWithPrefetch runs a synchronous configuration parse (the very one the start runs,
 * with all its checks) without reading a file on the event loop: each pass records the
 * files the parse asks for and has not got, they are read asynchronously (a few at a time,
 * regular files only, within `maxBytes`, until `signal` aborts), and the parse runs again,
 * until it asks for nothing new. A file not read by the deadline fails as unreadable, in
 * the parse's own words ("cannot be read (not read within the reload's deadline)").
 */
export async function parseWithPrefetch<T>(
  parse: (readFile: FileReader) => T,
  signal: AbortSignal,
): Promise<T> {
  const reads = new Map<string, Read>();
  const key = (path: string, maxBytes: number) => `${maxBytes}:${path}`;
  for (let round = 1; ; round++) {
    const missing = new Map<string, { path: string; maxBytes: number }>();
    const readFile: FileReader = (path, maxBytes) => {
      const read = reads.get(key(path, maxBytes));
      if (read?.ok) return read.text;
      if (read) throw read.error;
      missing.set(key(path, maxBytes), { path, maxBytes });
      throw new FileReadError('not read yet');
    };
    const result = parse(readFile);
    if (missing.size === 0 || round === PREFETCH_ROUNDS) return result;
    await readAll([...missing.entries()], reads, signal);
    // The parse that follows is long with thousands of accounts: let a waiting scrape go first.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function readAll(
  files: Array<[string, { path: string; maxBytes: number }]>,
  reads: Map<string, Read>,
  signal: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const [key, { path, maxBytes }] = files[next++]!;
      reads.set(key, await readOne(path, maxBytes, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PREFETCH_READS, files.length) }, worker));
}

async function readOne(path: string, maxBytes: number, signal: AbortSignal): Promise<Read> {
  if (stranded.has(path))
    return { ok: false, error: new FileReadError('an earlier read has not finished (a hung file system?)') };
  const { text, settled } = readRegularFileWithin(path, maxBytes, signal);
  try {
    return { ok: true, text: await text };
  } catch (error) {
    if (signal.aborted) {
      stranded.add(path);
      void settled.then(() => stranded.delete(path));
    }
    return { ok: false, error };
  }
}
