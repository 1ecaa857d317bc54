import { Writable } from 'node:stream';

/** Output is what the exporter writes its lines to: standard output or error, or a test's stand-in. */
export interface Output {
  on(event: 'error', listener: (error: Error) => void): unknown;
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
}

/**
 * survivesWriteErrors makes a failed write to `out` (its reader gone: EPIPE; a full disk:
 * ENOSPC) cost only the text it could not take. Without a listener, Node turns the
 * stream's 'error' event into an uncaught exception and the process ends: a restarted
 * journald or a dead `| tee` would take /metrics down. There is nowhere left to report
 * such an error, and the stream itself stays usable (process.stdout and process.stderr
 * are not destroyed by it): a later write that succeeds gets through.
 */
export function survivesWriteErrors(out: Output): void {
  out.on('error', () => {});
}

/**
 * lossyOutput is a log destination that drops the lines `out` cannot take, one write each
 * (no retry, so no spinning while the destination fails), and counts them: once a line
 * gets through again, `onRecovered` hears how many were lost and why, so the log says
 * that it has a gap.
 */
export function lossyOutput(out: Output, onRecovered: (lost: number, code: string) => void): Writable {
  survivesWriteErrors(out);
  let lost = 0;
  let code = '';
  const written = (error?: Error | null) => {
    if (error) {
      lost += 1;
      code = (error as { code?: string }).code ?? error.name;
    } else if (lost > 0) {
      const count = lost;
      lost = 0;
      onRecovered(count, code);
    }
  };
  return new Writable({
    // pino writes strings: passed on as they are, not copied into Buffers first.
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      out.write(chunk, written);
      done();
    },
  });
}
