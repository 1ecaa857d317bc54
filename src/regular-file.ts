// Reading a file the operator named, bounded and only if it is a regular file. It sits beside
// result.ts, below every folder: config/ reads files at load, accounts/ reads token files on
// every attempt, and neither may import the other's run-time code.

import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * FileReadError says why a file was not read, in words fit for a one-line problem:
 * the system's code (`ENOENT`), or ours (`a FIFO, not a regular file`).
 */
export class FileReadError extends Error {
  override readonly name = 'FileReadError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** describeReadError is the reason of any error a file reader threw. */
export function describeReadError(error: unknown): string {
  if (error instanceof FileReadError) return error.reason;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

function notRegular(stats: Stats): FileReadError | undefined {
  if (stats.isFile()) return undefined;
  const kind = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO'
      : stats.isSocket()
        ? 'a socket'
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? 'a device'
          : 'not a file';
  return new FileReadError(`${kind}, not a regular file`);
}

const tooLarge = (maxBytes: number) =>
  new FileReadError(
    `larger than ${maxBytes >= 1024 && maxBytes % 1024 === 0 ? `${maxBytes / 1024} KiB` : `${maxBytes} bytes`}`,
  );

// O_NONBLOCK: should the path be swapped for a FIFO between the check and the open, the
// open still returns at once (and the second check refuses it) instead of waiting for a writer.
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * readRegularFileSync reads a configuration file at start or on reload: only a regular
 * file (links followed), at most `maxBytes`. A FIFO, socket, device or directory would
 * block the process or never end (`/dev/zero`), so each is refused before it is read.
 */
export function readRegularFileSync(path: string, maxBytes: number): string {
  const problem = notRegular(statSync(path));
  if (problem) throw problem;
  const fd = openSync(path, FLAGS);
  try {
    const again = notRegular(fstatSync(fd));
    if (again) throw again;
    const buffer = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (let read = 1; read > 0 && size <= maxBytes; size += read) {
      read = readSync(fd, buffer, size, buffer.length - size, null);
    }
    if (size > maxBytes) throw tooLarge(maxBytes);
    return buffer.toString('utf8', 0, size);
  } finally {
    closeSync(fd);
  }
}

/**
 * readRegularFile is readRegularFileSync for run time: it never blocks the event loop,
 * and it gives up when `signal` aborts (a hung network file system may keep the read
 * itself pending; the caller must not start another one meanwhile).
 */
export async function readRegularFile(path: string, maxBytes: number, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  const handle = await open(path, FLAGS);
  try {
    const problem = notRegular(await handle.stat());
    if (problem) throw problem;
    const buffer = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (let read = 1; read > 0 && size <= maxBytes; size += read) {
      signal.throwIfAborted();
      ({ bytesRead: read } = await handle.read(buffer, size, buffer.length - size, null));
    }
    if (size > maxBytes) throw tooLarge(maxBytes);
    return buffer.toString('utf8', 0, size);
  } finally {
    await handle.close();
  }
}

/**
 * readRegularFileWithin is readRegularFile that always settles once `signal` aborts, even
 * when a file-system call never returns (a hung network mount): the reload that asked
 * goes on without the file. The call itself stays pending; the caller must not ask for
 * the same file again until `settled` resolves.
 */
export function readRegularFileWithin(
  path: string,
  maxBytes: number,
  signal: AbortSignal,
): { text: Promise<string>; settled: Promise<void> } {
  const reading = readRegularFile(path, maxBytes, signal);
  const settled = reading.then(
    () => undefined,
    () => undefined,
  );
  const text = new Promise<string>((resolve, reject) => {
    const onAbort = () => reject(new FileReadError(`not read within the reload's deadline`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    reading.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
  return { text, settled };
}
