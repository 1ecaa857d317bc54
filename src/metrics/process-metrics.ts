import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { monitorDelay } from './event-loop-delay';
import { observeGc } from './gc-durations';
import { LineStarts } from './line-starts';
import { maxFds, pageSize, ProcFile } from './proc-files';
import { FAMILIES, type Name } from './process-families';
import type { ExpositionFormat } from './text-format';
import { TextWriter } from './text-writer';

/**
 * The process_* and nodejs_* metrics, under prom-client's names, help texts and labels,
 * written straight to bytes on every scrape. prom-client's own collectors cost about
 * 390 µs a scrape, 200 µs of it in nodejs_eventloop_lag_seconds, which waits for a turn of
 * the event loop; these read the same sources in about 30 µs. The event-loop figures are
 * how late a 10 ms timer fired, over the time since the last scrape (prom-client's include
 * the 10 ms itself, so its minimum never goes below 0.01). Each scrape reads every value
 * fresh; only what cannot change is kept (start time, fd limit, Node version, the text
 * around the values).
 */
export interface ProcessMetrics {
  render(format: ExpositionFormat): Promise<Buffer>;
  stop(): void;
}

/**
 * FD_LISTING_WAIT_MS is how long a scrape waits for the listing of /proc/self/fd from
 * libuv's file-system threads. They can all be stuck (token files on a hung network file
 * system); the listing itself never hangs, so past this wait it is done on the event loop.
 */
const FD_LISTING_WAIT_MS = 20;

function openFdsNow(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // less the directory being read
  } catch {
    return undefined;
  }
}

let inflightListing: Promise<number | undefined> | undefined;

/**
 * listFds starts a listing of /proc/self/fd off the event loop, or joins the one in flight:
 * a listing in flight is at most a round trip of libuv's threads old (well under a
 * millisecond), so scrapes that arrive together share it and each still gets a count taken
 * while it was being answered. One listing a scrape cost a fifth of the throughput under load.
 */
function listFds(): Promise<number | undefined> {
  inflightListing ??= readdir('/proc/self/fd')
    .then(
      (names) => names.length - 1, // less the directory being read
      () => undefined,
    )
    .finally(() => (inflightListing = undefined));
  return inflightListing;
}

/** openFds is the count of open file descriptors, listed off the event loop when the threads are free. */
async function openFds(listing: Promise<number | undefined>): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, FD_LISTING_WAIT_MS, 'late')));
  const listed = await Promise.race([listing, late]);
  clearTimeout(timer);
  return listed === 'late' ? openFdsNow() : listed;
}

/** countBy counts items by a name each gives, for the active handles, requests and resources. */
function countBy<T>(items: readonly T[], nameOf: (item: T) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const name = nameOf(item);
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

const byClass = (item: unknown) => (item as { constructor?: { name?: string } } | null)?.constructor?.name;
const internals = process as unknown as { _getActiveHandles(): unknown[]; _getActiveRequests(): unknown[] };
// Named as prom-client names them: "new" for "new_space".
const spaceLabel = (name: string) => (name.endsWith('_space') ? name.slice(0, -'_space'.length) : name);

/** createProcessMetrics starts the observers the metrics need and returns their renderer. */
export function createProcessMetrics(): ProcessMetrics {
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  const fdLimit = maxFds();
  const [major, minor, patch] = process.version.slice(1).split('.');
  const versionLine = Buffer.from(
    `nodejs_version_info{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"} 1\n`,
  );
  const statm = new ProcFile('/proc/self/statm');
  const page = pageSize(statm);
  const loopDelay = monitorDelay();
  const gc = observeGc();
  const starts = { prometheus: new LineStarts('prometheus'), openmetrics: new LineStarts('openmetrics') };

  return {
    async render(format) {
      // The one costly read (a directory listing in the kernel) runs off the event loop meanwhile.
      const fds = listFds();
      const lines = starts[format];
      const out = new TextWriter();
      const one = (name: Name, value: number | undefined) => {
        if (value !== undefined) out.bytes(lines.sample[name]).line(value);
      };
      const byLabel = (name: Name, label: string, values: ReadonlyMap<string, number>) => {
        out.bytes(lines.header[name]);
        for (const [key, value] of values)
          out.bytes(lines.labelledStart(FAMILIES[name].name, label, key)).line(value);
      };

      const cpu = process.cpuUsage();
      one('cpuUser', cpu.user / 1e6);
      one('cpuSystem', cpu.system / 1e6);
      one('cpu', (cpu.user + cpu.system) / 1e6);
      one('start', startSeconds);
      const memory = statm.read()?.split(' ');
      if (memory !== undefined) {
        // statm: size, resident, shared, text, lib, data (with the stack), dirty; in pages.
        one('rss', Number(memory[1]) * page);
        one('virtual', Number(memory[0]) * page);
        one('heap', Number(memory[5]) * page);
      }
      one('maxFds', fdLimit);

      const delay = loopDelay.read();
      one('lag', delay.mean);
      one('lagMin', delay.min);
      one('lagMax', delay.max);
      one('lagMean', delay.mean);
      one('lagStddev', delay.stddev);
      one('lagP50', delay.percentile(50));
      one('lagP90', delay.percentile(90));
      one('lagP99', delay.percentile(99));

      byLabel(
        'resources',
        'type',
        countBy(process.getActiveResourcesInfo(), (type) => type),
      );
      byLabel('handles', 'type', countBy(internals._getActiveHandles(), byClass));
      byLabel('requests', 'type', countBy(internals._getActiveRequests(), byClass));

      const heap = getHeapStatistics();
      one('heapTotal', heap.total_heap_size);
      one('heapUsed', heap.used_heap_size);
      one('external', heap.external_memory);
      const spaces = getHeapSpaceStatistics();
      for (const [name, value] of [
        ['spaceTotal', 'space_size'],
        ['spaceUsed', 'space_used_size'],
        ['spaceAvailable', 'space_available_size'],
      ] as const) {
        out.bytes(lines.header[name]);
        for (const space of spaces)
          out
            .bytes(lines.labelledStart(FAMILIES[name].name, 'space', spaceLabel(space.space_name)))
            .line(space[value]);
      }

      out.bytes(lines.header.version).bytes(versionLine);
      out.bytes(lines.header.gc);
      for (const [kind, observed] of gc.byKind) {
        const gcLines = lines.gcLines(kind);
        // Each bucket counts every collection up to its bound: cumulative, as the format wants.
        observed.counts.forEach((count, index) => out.bytes(gcLines.buckets[index]!).line(count));
        out.bytes(gcLines.infinity).line(observed.count);
        out.bytes(gcLines.sum).line(observed.sum);
        out.bytes(gcLines.count).line(observed.count);
      }
      // Last, and fresh: the listing has had the rest of the render to finish.
      one('openFds', await openFds(fds));
      return out.done();
    },
    stop() {
      loopDelay.stop();
      gc.stop();
      statm.close();
    },
  };
}
