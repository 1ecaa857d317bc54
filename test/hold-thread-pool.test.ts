import { mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdThreadPool } from './helpers/hold-thread-pool';

// The helper that several tests hold libuv's pool with must give every thread back, or the
// tests after it in the same process run with fewer threads and fail, and the process cannot
// exit (CI saw it: a writer opened and closed while an open was still queued behind other
// work left that open waiting for a writer for ever).

const THREADS = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tensorpix-hold-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** poolAnswers tells whether THREADS stats at once all end within `boundMs`. */
async function poolAnswers(boundMs = 3000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), boundMs);
  });
  const stats = Promise.all(Array.from({ length: THREADS }, () => stat(dir))).then(() => true);
  try {
    return await Promise.race([stats, bound]);
  } finally {
    clearTimeout(timer);
  }
}

test('while held, no file-system call gets a thread; once released, every thread answers again', async () => {
  const pool = holdThreadPool(dir);
  expect(await poolAnswers(500)).toBe(false);
  await pool.release();
  expect(await poolAnswers()).toBe(true);
});

test('release asked while every open still waits for a thread lets them all through once one frees', async () => {
  // The pool held elsewhere: none of the next hold's opens has a thread yet, so a writer
  // cannot open until one has (a blocking open here would wait for ever, the loop stopped).
  const other = holdThreadPool(dir);
  const pool = holdThreadPool(dir);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const released = pool.release();
  await other.release();
  await released;
  expect(await poolAnswers()).toBe(true);
});

test('release twice is one release', async () => {
  const pool = holdThreadPool(dir);
  await pool.release();
  await pool.release();
  expect(await poolAnswers()).toBe(true);
});
