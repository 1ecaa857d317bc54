import type { Registry } from 'prom-client';

export interface ExpositionOptions {
  /** accountsRegistry holds the tensorpix_* metrics, whose text is kept between changes. */
  accountsRegistry: Registry;
  /** processRegistry holds process_* and nodejs_* metrics, read fresh on every scrape. */
  processRegistry?: Registry;
  /** generation changes whenever anything the accounts registry shows may have changed. */
  generation: () => number;
  /** nextExpiryMs is when the next cached balance turns stale (and leaves the output) after `nowMs`. */
  nextExpiryMs: (nowMs: number) => number;
  now: () => number;
}

/**
 * createExposition renders /metrics. The tensorpix_* text depends only on the accounts'
 * state, which changes when an attempt settles, an account is added or removed, a reload
 * happens, or a balance outlives --cache.max-stale; between those, scrapes reuse the same
 * text instead of re-serialising every series (megabytes with a thousand accounts).
 */
export function createExposition(options: ExpositionOptions): () => Promise<string> {
  let cached: { generation: number; validUntilMs: number; text: string } | undefined;
  return async () => {
    const nowMs = options.now();
    const generation = options.generation();
    if (!cached || cached.generation !== generation || nowMs >= cached.validUntilMs) {
      // Captured before rendering: a change during the await makes the next scrape render anew.
      cached = {
        generation,
        validUntilMs: options.nextExpiryMs(nowMs),
        text: await options.accountsRegistry.metrics(),
      };
    }
    if (!options.processRegistry) return cached.text;
    return `${cached.text}\n${await options.processRegistry.metrics()}`;
  };
}
