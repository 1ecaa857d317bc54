import { setMaxListeners } from 'node:events';

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

/** ANSWER_MARGIN_MS is kept between aborting upstream requests and answering the scrape. */
export const ANSWER_MARGIN_MS = 100;

/**
 * Deadline is a scrape's time limit: `abort` stops its upstream requests a moment before
 * `answer`, when the scrape must be answered, so that an aborted request's outcome (a
 * counted timeout) is already in the answer and the answer is still on time.
 */
export interface Deadline {
  abort: AbortSignal;
  answer: AbortSignal;
}

export function deadlineIn(budgetMs: number): Deadline {
  const abortMs = budgetMs > 4 * ANSWER_MARGIN_MS ? budgetMs - ANSWER_MARGIN_MS : budgetMs * 0.75;
  const deadline = { abort: AbortSignal.timeout(abortMs), answer: AbortSignal.timeout(budgetMs) };
  // Every account of a scrape listens to the same two signals; that is by design, not a
  // leak, so Node's warning past 10 listeners does not apply.
  setMaxListeners(0, deadline.abort, deadline.answer);
  return deadline;
}
