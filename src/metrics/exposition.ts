import type { Registry } from './prom-registry';
import { gzipJoin, gzipPrefix, type GzipPrefix } from './gzip-join';
import type { ProcessMetrics } from './process-metrics';
import type { ExpositionFormat } from './text-format';

export interface ExpositionOptions {
  /** accountsRegistries hold the tensorpix_* metrics, one registry per format; their text is kept between changes. */
  accountsRegistries: Record<ExpositionFormat, Registry>;
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
export type Body = { chunks: [Buffer, string]; length: number } | { chunks: [Buffer]; length: number };

/** Exposition renders /metrics; `renderedAtMs` is the instant the accounts' families read. */
export interface Exposition {
  render(format: ExpositionFormat, gzip: boolean): Promise<Body>;
  renderedAtMs(): number;
}

interface Kept {
  key: string;
  validUntilMs: number;
  text: Buffer;
  gzip?: GzipPrefix;
}

const EOF_LINE = '# EOF\n';

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
  let atMs = options.now();

  const accountsPart = async (format: ExpositionFormat): Promise<Kept> => {
    const nowMs = options.now();
    const key = options.stateKey();
    const current = kept[format];
    // At validUntilMs exactly a balance expires: that instant renders anew, without it.
    if (current && current.key === key && nowMs < current.validUntilMs) return current;
    atMs = nowMs;
    const validUntilMs = options.nextExpiryMs(nowMs);
    let text = await options.accountsRegistries[format].metrics();
    // OpenMetrics ends once, after the process metrics.
    if (format === 'openmetrics' && text.endsWith(EOF_LINE)) text = text.slice(0, -EOF_LINE.length);
    // A change during the await gives another key, so the next scrape renders anew.
    return (kept[format] = { key, validUntilMs, text: Buffer.from(text) });
  };

  return {
    renderedAtMs: () => atMs,
    async render(format, gzip) {
      const accounts = await accountsPart(format);
      let rest = (await options.processMetrics?.render(format)) ?? '';
      if (format === 'openmetrics') rest += EOF_LINE;
      if (!gzip)
        return { chunks: [accounts.text, rest], length: accounts.text.length + Buffer.byteLength(rest) };
      accounts.gzip ??= gzipPrefix(accounts.text);
      const zipped = gzipJoin(accounts.gzip, Buffer.from(rest));
      return { chunks: [zipped], length: zipped.length };
    },
  };
}
