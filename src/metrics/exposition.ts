import { gzipJoin, gzipPrefix, type GzipPrefix } from './gzip-join';
import type { ProcessMetrics } from './process-metrics';
import type { ExpositionFormat } from './text-format';

export interface ExpositionOptions {
  /** accounts renders the tensorpix_* metrics at an instant; their text is kept between changes. */
  accounts: { render(format: ExpositionFormat, nowMs: number): string };
  /** processMetrics are read fresh on every scrape. */
  processMetrics?: ProcessMetrics;
  /** stateKey changes whenever anything the accounts registries render may have changed. */
  stateKey: () => string;
  /** nextExpiryMs is the first moment after `nowMs` when a cached balance leaves the output. */
  nextExpiryMs: (nowMs: number) => number;
  now: () => number;
}

/**
 * Body is one scrape's answer: the kept accounts' bytes, then the fresh rest, written as
 * they are (no copy into one buffer), or one gzip buffer.
 */
export interface Body {
  chunks: Buffer[];
  length: number;
}

/** Exposition renders /metrics. */
export interface Exposition {
  render(format: ExpositionFormat, gzip: boolean): Promise<Body>;
}

interface Kept {
  key: string;
  validUntilMs: number;
  text: Buffer;
  gzip?: GzipPrefix;
}

const EOF_BYTES = Buffer.from('# EOF\n');
const NOTHING = Buffer.alloc(0);

/**
 * createExposition renders /metrics. The tensorpix_* text depends only on the accounts'
 * state, which changes when an attempt settles, an account is added or removed, a reload
 * happens, or a balance reaches --cache.max-stale; between those, scrapes reuse the same
 * bytes (and, when gzip is asked for, the same compressed bytes) instead of
 * re-serialising every series (megabytes with a thousand accounts). The process metrics
 * that follow are read fresh on every scrape.
 */
export function createExposition(options: ExpositionOptions): Exposition {
  const kept: Partial<Record<ExpositionFormat, Kept>> = {};

  const accountsPart = (format: ExpositionFormat): Kept => {
    const nowMs = options.now();
    const key = options.stateKey();
    const current = kept[format];
    // At validUntilMs exactly a balance expires: that instant renders anew, without it.
    if (current && current.key === key && nowMs < current.validUntilMs) return current;
    const validUntilMs = options.nextExpiryMs(nowMs);
    return (kept[format] = { key, validUntilMs, text: Buffer.from(options.accounts.render(format, nowMs)) });
  };

  return {
    async render(format, gzip) {
      const accounts = accountsPart(format);
      const rest = (await options.processMetrics?.render(format)) ?? NOTHING;
      const end = format === 'openmetrics' ? EOF_BYTES : NOTHING;
      if (!gzip) {
        const chunks = [accounts.text, rest, end].filter((chunk) => chunk.length > 0);
        return { chunks, length: accounts.text.length + rest.length + end.length };
      }
      accounts.gzip ??= gzipPrefix(accounts.text);
      const chunks = gzipJoin(accounts.gzip, end.length > 0 ? Buffer.concat([rest, end]) : rest);
      return { chunks, length: chunks.reduce((sum, chunk) => sum + chunk.length, 0) };
    },
  };
}
