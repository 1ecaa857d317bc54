/** DelaySummary summarises the delays measured since the last read. */
export interface DelaySummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  percentile(p: number): number;
}

const INTERVAL_MS = 10;
const WINDOW = 8192;

/**
 * monitorDelay measures how late a 10 ms timer fires, in seconds, as Node's
 * monitorEventLoopDelay does, and summarises the delays since the last read. Node's own
 * histogram costs 180 µs to give a standard deviation (it walks every bucket of its whole
 * range); this keeps the last 8 192 delays (80 s at 10 ms) and running sums, so a read
 * costs in proportion to what happened since the last one: nothing under steady scraping,
 * a sort of 1 500 numbers every 15 s. A read with nothing measured since the last one
 * (a second scraper within 10 ms) repeats the last summary rather than a false 0. The timer
 * does not keep the process alive.
 */
export function monitorDelay(now: () => number = () => performance.now()): {
  read(): DelaySummary;
  stop(): void;
} {
  const samples = new Float64Array(WINDOW);
  let count = 0;
  let sum = 0;
  let sumOfSquares = 0;
  let min = Infinity;
  let max = 0;
  let last = now();
  let previous: DelaySummary | undefined;
  const timer = setInterval(() => {
    const at = now();
    const delay = Math.max(0, at - last - INTERVAL_MS) / 1000;
    last = at;
    samples[count % WINDOW] = delay;
    count++;
    sum += delay;
    sumOfSquares += delay * delay;
    if (delay < min) min = delay;
    if (delay > max) max = delay;
  }, INTERVAL_MS);
  timer.unref();

  return {
    read() {
      if (count === 0 && previous) return previous;
      const kept = samples.slice(0, Math.min(count, WINDOW)).sort();
      const mean = count > 0 ? sum / count : 0;
      const summary: DelaySummary = {
        count,
        min: count > 0 ? min : 0,
        max,
        mean,
        stddev: count > 1 ? Math.sqrt(Math.max(0, sumOfSquares / count - mean * mean)) : 0,
        percentile: (p) =>
          kept.length > 0 ? kept[Math.min(kept.length - 1, Math.ceil((p / 100) * kept.length) - 1)]! : 0,
      };
      count = sum = sumOfSquares = max = 0;
      min = Infinity;
      previous = summary;
      return summary;
    },
    stop: () => clearInterval(timer),
  };
}
