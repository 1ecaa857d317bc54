import { execFileSync } from 'node:child_process';
import { closeSync, constants, open, openSync } from 'node:fs';
import { join } from 'node:path';

/** THREADS is the size of libuv's pool in this process: the number of opens that hold it all. */
const THREADS = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

/** How long release waits for the opens to get a thread before it names the problem. */
const RELEASE_BOUND_MS = 10_000;

let fifos = 0;

/** HeldThreadPool is a hold on libuv's pool; release gives every thread back. */
export type HeldThreadPool = { release(): Promise<void> };

/**
 * holdThreadPool holds every thread of libuv's pool, as reads on a hung network file system
 * would: each of `threads` opens of a FIFO (made in `dir`) for reading waits in open() until
 * `release` opens it for writing. No timing is involved: a thread is held until released,
 * however loaded the machine.
 *
 * An open still queued behind other work when the writer comes would, once the writer had
 * closed, wait for another writer forever, and the thread it then held would be lost to every
 * test after it in the process. So release keeps the writer open until every open has
 * returned, and closes them all. Calling it again does nothing.
 */
export function holdThreadPool(dir: string, threads = THREADS): HeldThreadPool {
  const fifo = join(dir, `hold-${++fifos}`);
  execFileSync('mkfifo', [fifo]);
  const opened = Array.from(
    { length: threads },
    () =>
      new Promise<number>((resolve, reject) =>
        open(fifo, 'r', (error, fd) => (error ? reject(error) : resolve(fd))),
      ),
  );
  let released: Promise<void> | undefined;
  return { release: () => (released ??= releaseAll(fifo, opened)) };
}

async function releaseAll(fifo: string, opened: Array<Promise<number>>): Promise<void> {
  const writer = await openWriter(fifo);
  let timer: NodeJS.Timeout | undefined;
  try {
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`the opens of ${fifo} did not all get a thread within ${RELEASE_BOUND_MS} ms`)),
        RELEASE_BOUND_MS,
      );
    });
    for (const fd of await Promise.race([Promise.all(opened), bound])) closeSync(fd);
  } finally {
    clearTimeout(timer);
    closeSync(writer);
  }
}

/**
 * openWriter opens the FIFO for writing without blocking the event loop: a non-blocking open
 * fails (ENXIO) until a reader is in open(), so it is tried again until one is.
 */
async function openWriter(fifo: string): Promise<number> {
  for (const started = Date.now(); ;) {
    try {
      return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      const noReaderYet = (error as NodeJS.ErrnoException).code === 'ENXIO';
      if (!noReaderYet || Date.now() - started > RELEASE_BOUND_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
