import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { monitorDelay } from './event-loop-delay';
import { familyHeader, formatValue, labelValue, type ExpositionFormat, type FamilyType } from './text-format';

/**
 * The process_* and nodejs_* metrics, under the names, help texts and labels of
 * prom-client's default metrics (so dashboards built for those keep working), rendered
 * straight to text on every scrape. prom-client's own collectors cost about 390 µs a
 * scrape, 200 µs of it in nodejs_eventloop_lag_seconds, which waits for a turn of the
 * event loop; these read the same sources in about 40 µs. The event-loop figures are how
 * late a 10 ms timer fired, over the time since the last scrape (prom-client's include the
 * 10 ms itself, so its minimum never goes below 0.01). Each scrape reads them fresh:
 * nothing here is cached but what cannot change (start time, fd limit, Node version).
 */
interface Family {
  name: string;
  help: string;
  type: FamilyType;
}

const FAMILIES = {
  cpuUser: {
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    type: 'counter',
  },
  cpuSystem: {
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    type: 'counter',
  },
  cpu: {
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    type: 'counter',
  },
  start: {
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    type: 'gauge',
  },
  rss: { name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', type: 'gauge' },
  virtual: { name: 'process_virtual_memory_bytes', help: 'Virtual memory size in bytes.', type: 'gauge' },
  heap: { name: 'process_heap_bytes', help: 'Process heap size in bytes.', type: 'gauge' },
  openFds: { name: 'process_open_fds', help: 'Number of open file descriptors.', type: 'gauge' },
  maxFds: { name: 'process_max_fds', help: 'Maximum number of open file descriptors.', type: 'gauge' },
  lag: {
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds: the mean delay of a 10 ms timer since the last scrape.',
    type: 'gauge',
  },
  lagMin: {
    name: 'nodejs_eventloop_lag_min_seconds',
    help: 'The minimum recorded event loop delay.',
    type: 'gauge',
  },
  lagMax: {
    name: 'nodejs_eventloop_lag_max_seconds',
    help: 'The maximum recorded event loop delay.',
    type: 'gauge',
  },
  lagMean: {
    name: 'nodejs_eventloop_lag_mean_seconds',
    help: 'The mean of the recorded event loop delays.',
    type: 'gauge',
  },
  lagStddev: {
    name: 'nodejs_eventloop_lag_stddev_seconds',
    help: 'The standard deviation of the recorded event loop delays.',
    type: 'gauge',
  },
  lagP50: {
    name: 'nodejs_eventloop_lag_p50_seconds',
    help: 'The 50th percentile of the recorded event loop delays.',
    type: 'gauge',
  },
  lagP90: {
    name: 'nodejs_eventloop_lag_p90_seconds',
    help: 'The 90th percentile of the recorded event loop delays.',
    type: 'gauge',
  },
  lagP99: {
    name: 'nodejs_eventloop_lag_p99_seconds',
    help: 'The 99th percentile of the recorded event loop delays.',
    type: 'gauge',
  },
  resources: {
    name: 'nodejs_active_resources',
    help: 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
    type: 'gauge',
  },
  handles: {
    name: 'nodejs_active_handles',
    help: 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
    type: 'gauge',
  },
  requests: {
    name: 'nodejs_active_requests',
    help: 'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
    type: 'gauge',
  },
  heapTotal: {
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    type: 'gauge',
  },
  heapUsed: {
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    type: 'gauge',
  },
  external: {
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes.',
    type: 'gauge',
  },
  spaceTotal: {
    name: 'nodejs_heap_space_size_total_bytes',
    help: 'Process heap space size total from Node.js in bytes.',
    type: 'gauge',
  },
  spaceUsed: {
    name: 'nodejs_heap_space_size_used_bytes',
    help: 'Process heap space size used from Node.js in bytes.',
    type: 'gauge',
  },
  spaceAvailable: {
    name: 'nodejs_heap_space_size_available_bytes',
    help: 'Process heap space size available from Node.js in bytes.',
    type: 'gauge',
  },
  version: { name: 'nodejs_version_info', help: 'Node.js version info.', type: 'gauge' },
  gc: {
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    type: 'histogram',
  },
} as const satisfies Record<string, Family>;

type Name = keyof typeof FAMILIES;

const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** ProcessMetrics renders the process metrics; stop() ends its event-loop and GC observers. */
export interface ProcessMetrics {
  render(format: ExpositionFormat): Promise<string>;
  stop(): void;
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

/** ProcFile keeps a /proc file open and reads it again from the start: a fresh view each time. */
class ProcFile {
  private fd?: number;
  private readonly buffer = Buffer.alloc(8192);

  constructor(path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch {
      // Not Linux: the metrics read from it are left out, as prom-client does.
    }
  }

  read(): string | undefined {
    if (this.fd === undefined) return undefined;
    return this.buffer.toString('latin1', 0, readSync(this.fd, this.buffer, 0, this.buffer.length, 0));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * pageSize is the size of a memory page, for /proc/self/statm, which counts in pages. It
 * is told by /proc/self/status, which gives the same resident size in kB; the status file
 * costs nine times the statm file to read, so it is read once, here.
 */
function pageSize(status: ProcFile, statm: ProcFile): number {
  const vmSize = /^VmSize:\s*(\d+) kB/m.exec(status.read() ?? '');
  const pages = Number((statm.read() ?? '').split(' ')[0]);
  if (!vmSize || !(pages > 0)) return 4096;
  // The two reads are a moment apart; round to the power of two they agree on.
  return 2 ** Math.round(Math.log2((Number(vmSize[1]) * 1024) / pages));
}

function maxFds(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** createProcessMetrics starts the observers the metrics need and returns their renderer. */
export function createProcessMetrics(): ProcessMetrics {
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  const fdLimit = maxFds();
  const [major, minor, patch] = process.version.slice(1).split('.');
  const versionLabels = `{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"}`;
  const statm = new ProcFile('/proc/self/statm');
  const status = new ProcFile('/proc/self/status');
  const page = pageSize(status, statm);
  status.close();
  const loopDelay = monitorDelay();
  const gc = new Map<string, { counts: number[]; sum: number; count: number }>();
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1];
      if (kind === undefined) continue;
      let observed = gc.get(kind);
      if (!observed)
        gc.set(kind, (observed = { counts: new Array<number>(GC_BUCKETS.length).fill(0), sum: 0, count: 0 }));
      const seconds = entry.duration / 1000;
      GC_BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) observed.counts[index]!++;
      });
      observed.sum += seconds;
      observed.count++;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const headers = {
    prometheus: {} as Record<Name, string>,
    openmetrics: {} as Record<Name, string>,
  };
  for (const format of ['prometheus', 'openmetrics'] as const)
    for (const [key, family] of Object.entries(FAMILIES))
      headers[format][key as Name] = familyHeader(family.name, family.help, family.type, format);

  return {
    async render(format) {
      // The one costly read (a directory listing in the kernel) runs off the event loop meanwhile.
      const fds = readdir('/proc/self/fd').then(
        (names) => names.length - 1,
        () => undefined,
      );
      const head = headers[format];
      let out = '';
      const one = (name: Name, value: number | undefined) => {
        if (value !== undefined) out += `${head[name]}${FAMILIES[name].name} ${formatValue(value)}\n`;
      };
      const labelled = (name: Name, label: string, values: Map<string, number>) => {
        out += head[name];
        for (const [key, value] of values)
          out += `${FAMILIES[name].name}{${label}="${labelValue(key)}"} ${value}\n`;
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
        one('maxFds', fdLimit);
      }

      // The delay histogram is reset after each scrape, so each figure covers the time since the last one.
      const delay = loopDelay.read();
      one('lag', delay.mean);
      one('lagMin', delay.min);
      one('lagMax', delay.max);
      one('lagMean', delay.mean);
      one('lagStddev', delay.stddev);
      one('lagP50', delay.percentile(50));
      one('lagP90', delay.percentile(90));
      one('lagP99', delay.percentile(99));

      labelled(
        'resources',
        'type',
        countBy(process.getActiveResourcesInfo(), (type) => type),
      );
      const byClass = (item: unknown) =>
        (item as { constructor?: { name?: string } } | null)?.constructor?.name;
      const internals = process as unknown as {
        _getActiveHandles(): unknown[];
        _getActiveRequests(): unknown[];
      };
      labelled('handles', 'type', countBy(internals._getActiveHandles(), byClass));
      labelled('requests', 'type', countBy(internals._getActiveRequests(), byClass));

      const heap = getHeapStatistics();
      one('heapTotal', heap.total_heap_size);
      one('heapUsed', heap.used_heap_size);
      one('external', heap.external_memory);
      const spaces = getHeapSpaceStatistics();
      // Named as prom-client names them: "new" for "new_space".
      const space = (name: string) => labelValue(name.replace(/_space$/, ''));
      out += head.spaceTotal;
      for (const s of spaces)
        out += `nodejs_heap_space_size_total_bytes{space="${space(s.space_name)}"} ${s.space_size}\n`;
      out += head.spaceUsed;
      for (const s of spaces)
        out += `nodejs_heap_space_size_used_bytes{space="${space(s.space_name)}"} ${s.space_used_size}\n`;
      out += head.spaceAvailable;
      for (const s of spaces)
        out += `nodejs_heap_space_size_available_bytes{space="${space(s.space_name)}"} ${s.space_available_size}\n`;

      out += `${head.version}nodejs_version_info${versionLabels} 1\n`;
      out += head.gc;
      for (const [kind, observed] of gc) {
        GC_BUCKETS.forEach((bound, index) => {
          out += `nodejs_gc_duration_seconds_bucket{kind="${kind}",le="${bound}"} ${observed.counts[index]}\n`;
        });
        out += `nodejs_gc_duration_seconds_bucket{kind="${kind}",le="+Inf"} ${observed.count}\n`;
        out += `nodejs_gc_duration_seconds_sum{kind="${kind}"} ${formatValue(observed.sum)}\n`;
        out += `nodejs_gc_duration_seconds_count{kind="${kind}"} ${observed.count}\n`;
      }
      // Last, and fresh: the listing has had the rest of the render to finish.
      const openFds = await fds; // less the directory being read
      if (openFds !== undefined) out += `${head.openFds}process_open_fds ${openFds}\n`;
      return out;
    },
    stop() {
      loopDelay.stop();
      gcObserver.disconnect();
      statm.close();
    },
  };
}
