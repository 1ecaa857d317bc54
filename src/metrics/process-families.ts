import { constants } from 'node:perf_hooks';
import type { FamilyType } from './text-format';

/**
 * The process_* and nodejs_* families, under the names, help texts and labels of
 * prom-client's default metrics, so that dashboards built for those keep working.
 */
export interface Family {
  name: string;
  help: string;
  type: FamilyType;
}

export const FAMILIES = {
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

export type Name = keyof typeof FAMILIES;

export const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
export const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
