import type { Registry } from 'prom-client';

export interface ExpositionOptions {
  /** accountsRegistry holds the tensorpix_* metrics, whose text is kept between changes. */
  accountsRegistry: Registry;
  /** processRegistry holds process_* and nodejs_* metrics, read fresh on every scrape. */
  processRegistry?: Registry;
  /** stateKey changes whenever anything the accounts registry renders may have changed. */
  stateKey: () => string;
  /** nextExpiryMs is the first moment after `nowMs` when a cached balance leaves the output. */
  nextExpiryMs: (nowMs: number) => number;
  now: () => number;
}

/** Exposition renders /metrics; `renderedAtMs` is the instant the accounts' families read. */
export interface Exposition {
  render(): Promise<string>;
  renderedAtMs(): number;
}

/**
 * createExposition renders /metrics. The tensorpix_* text depends only on the accounts'
 * state, which changes when an attempt settles, an account is added or removed, a reload
 * happens, or a balance reaches --cache.max-stale; between those, scrapes reuse the same
 * text instead of re-serialising every series (megabytes with a thousand accounts).
 */
export function createExposition(options: ExpositionOptions): Exposition {
  let cached: { key: string; validUntilMs: number; text: string } | undefined;
  let atMs = options.now();
  return {
    renderedAtMs: () => atMs,
    async render() {
      const nowMs = options.now();
      const key = options.stateKey();
      // At validUntilMs exactly a balance expires: that instant renders anew, without it.
      if (!cached || cached.key !== key || nowMs >= cached.validUntilMs) {
        atMs = nowMs;
        const validUntilMs = options.nextExpiryMs(nowMs);
        const text = await options.accountsRegistry.metrics();
        // A change during the await gives another key, so the next scrape renders anew.
        cached = { key, validUntilMs, text };
      }
      if (!options.processRegistry) return cached.text;
      return `${cached.text}\n${await options.processRegistry.metrics()}`;
    },
  };
}
