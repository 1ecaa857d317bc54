import { gzipSync } from 'node:zlib';
import type { Registry, RegistryContentType } from 'prom-client';
import type { ExpositionFormat } from './formats';

/** Rendered is one render of the registry: its bytes, and the same bytes gzipped on demand, once. */
export interface Rendered {
  contentType: string;
  text: Buffer;
  gzipped(): Buffer;
}

/** Exposition renders /metrics in a format. */
export interface Exposition {
  render(format: ExpositionFormat): Promise<Rendered>;
}

/**
 * createExposition renders through `registry.metrics()`, single-flight per format: a
 * scrape that arrives while a render of its format is in flight gets that render's bytes,
 * and a gzip-accepting one its gzip bytes, compressed once for all of them. A render starts
 * on the next turn of the event loop (setImmediate), so every scrape read in the same turn
 * joins it: under many scrapers most get bytes another rendered, and the tensorpix_*
 * collect() runs once per batch instead of once per scrape. Every collect() here is
 * synchronous, so a render reads the state after the last scrape that joins it arrived:
 * no scrape gets bytes of a state older than its own arrival.
 *
 * The gzip is synchronous on purpose: libuv's file-system threads, which zlib's async
 * calls share, can all be held by token files on a hung network file system, and a scrape
 * must still be answered within its budget then.
 */
export function createExposition(
  registries: Record<ExpositionFormat, Registry<RegistryContentType>>,
): Exposition {
  const inflight: Partial<Record<ExpositionFormat, Promise<Rendered>>> = {};

  const renderNow = async (registry: Registry<RegistryContentType>): Promise<Rendered> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const text = Buffer.from(await registry.metrics());
    let gzip: Buffer | undefined;
    return { contentType: registry.contentType, text, gzipped: () => (gzip ??= gzipSync(text)) };
  };

  return {
    render(format) {
      let current = inflight[format];
      if (!current) {
        current = renderNow(registries[format]).finally(() => {
          inflight[format] = undefined;
        });
        inflight[format] = current;
      }
      return current;
    },
  };
}
