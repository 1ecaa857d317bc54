import { EventEmitter } from 'node:events';
import { createLogger } from '../src/log/logger';
import { lossyOutput } from '../src/log/lossy-output';

/**
 * flakyOutput stands for standard error on a disk that fills up and is freed: the writes
 * while `failing` is set fail with ENOSPC (the callback, then an 'error' event, as Node's
 * streams report it), the others are kept.
 */
function flakyOutput() {
  const out = Object.assign(new EventEmitter(), {
    failing: false,
    lines: [] as string[],
    write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void) {
      if (out.failing) {
        const error = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        process.nextTick(() => {
          callback?.(error);
          out.emit('error', error);
        });
      } else {
        out.lines.push(chunk.toString());
        process.nextTick(() => callback?.(null));
      }
      return true;
    },
  });
  return out;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test.each(['json', 'logfmt'] as const)(
  'lines the output cannot take are dropped without a throw, and the first line after says how many were lost (%s)',
  async (format) => {
    const out = flakyOutput();
    const logger = createLogger({
      level: 'info',
      format,
      destination: lossyOutput(out, (lost, code) =>
        logger.warn({ lost_lines: lost, code }, 'log lines were lost'),
      ),
    });
    logger.info('before');
    await settle();
    out.failing = true;
    for (let i = 0; i < 3; i++) logger.info(`lost ${i}`);
    await settle();
    out.failing = false;
    logger.info('after');
    await settle();
    const text = out.lines.join('');
    expect(text).toMatch(/before/);
    expect(text).not.toMatch(/lost \d/);
    expect(text).toMatch(format === 'json' ? /"lost_lines":3,"code":"ENOSPC"/ : /lost_lines=3 code=ENOSPC/);
    // The count is said once: later lines do not repeat it.
    logger.info('later');
    await settle();
    expect(out.lines.join('').match(/lost_lines/g)).toHaveLength(1);
  },
);
