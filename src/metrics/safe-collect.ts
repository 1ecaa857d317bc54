/** CollectFailure is told which family failed to collect and why. */
export type CollectFailure = (family: string, error: unknown) => void;

/**
 * safeCollect runs one family's collect() so that nothing it throws reaches prom-client,
 * which would fail the whole scrape with a 500: the family is emptied instead (no series
 * rather than a wrong or half-written one, and never a false 0) and the failure reported.
 */
export function safeCollect<M extends { reset(): void }>(
  metric: M,
  family: string,
  onFailure: CollectFailure,
  fill: () => void,
): void {
  try {
    metric.reset();
    fill();
  } catch (error) {
    try {
      metric.reset();
      onFailure(family, error);
    } catch {
      // A failing report must not fail the scrape either.
    }
  }
}
