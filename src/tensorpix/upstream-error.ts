import type { ErrorCode } from './codes';

/**
 * UpstreamError is the one error the TensorPix client throws. Its message is ours,
 * never the upstream's text, so it is safe to log; `code` is a label value of the
 * closed set; `retryAfterMs` is set when a 429 carried a usable Retry-After.
 */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** fields is what a log line may carry about this error, and nothing more. */
  fields(): { code: ErrorCode; status?: number } {
    return this.status === undefined ? { code: this.code } : { code: this.code, status: this.status };
  }
}
