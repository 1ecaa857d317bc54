/**
 * scrapeBudgetMs is how long one scrape may spend on the upstream:
 * min(--tensorpix.timeout, X-Prometheus-Scrape-Timeout-Seconds − --web.timeout-offset),
 * so that a scrape never outlives Prometheus' scrape timeout, even when the upstream
 * hangs. When the offset would leave nothing, half of Prometheus' timeout is used; a
 * header that is not a positive number is ignored (curl sends none).
 */
export function scrapeBudgetMs(
  header: string | undefined,
  upstreamTimeoutMs: number,
  offsetMs: number,
): number {
  const seconds = header === undefined || !/^\s*\d*\.?\d+\s*$/.test(header) ? NaN : Number(header);
  if (!(seconds > 0)) return upstreamTimeoutMs;
  const scrapeTimeoutMs = seconds * 1000;
  const budget = scrapeTimeoutMs - offsetMs > 0 ? scrapeTimeoutMs - offsetMs : scrapeTimeoutMs / 2;
  return Math.min(upstreamTimeoutMs, budget);
}
