/**
 * scrapeBudgetMs is how long one scrape may spend on the upstream: Prometheus'
 * X-Prometheus-Scrape-Timeout-Seconds minus --web.timeout-offset, so that a scrape never
 * outlives Prometheus' scrape timeout even when the upstream hangs. When the offset would
 * leave nothing, half of Prometheus' timeout is used. Without a usable header (curl sends
 * none) it is `fallbackMs`, the longest account timeout. Each request is also bounded by
 * its account's --tensorpix.timeout from the moment it starts, so a request's deadline is
 * min(--tensorpix.timeout, scrape timeout − offset).
 */
export function scrapeBudgetMs(header: string | undefined, fallbackMs: number, offsetMs: number): number {
  const seconds = header === undefined || !/^\s*\d*\.?\d+\s*$/.test(header) ? NaN : Number(header);
  if (!(seconds > 0)) return fallbackMs;
  const scrapeTimeoutMs = seconds * 1000;
  return scrapeTimeoutMs - offsetMs > 0 ? scrapeTimeoutMs - offsetMs : scrapeTimeoutMs / 2;
}
