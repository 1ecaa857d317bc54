import { readTokenFile, type TokenSource } from './token-file';
import { fail, ok, type Result } from '../result';
import type { Limiter } from './limiter';

/**
 * TokenReader gives an account its token: the configured value, or the token file read
 * again for each attempt. A read that outlives its attempt (a hung network file system)
 * is left to finish on its own, and until it does the next attempts fail at once instead
 * of each stranding one more of libuv's few file-system threads. Reads across accounts
 * take turns (`reads`): a cold scrape of a thousand accounts would otherwise queue four
 * thousand file operations at once, and its first request would wait for all of them.
 */
export class TokenReader {
  private pending = false;

  constructor(
    private readonly source: TokenSource,
    private readonly reads: Limiter,
  ) {}

  get isFile(): boolean {
    return this.source.kind === 'file';
  }

  async read(signal: AbortSignal): Promise<Result<string>> {
    if (this.source.kind === 'value') return ok(this.source.value);
    if (this.pending)
      return fail(`token file ${this.source.path}: the last read has not finished (a hung file system?)`);
    const release = await this.reads.acquire(signal);
    this.pending = true;
    const reading = readTokenFile(this.source.path, signal);
    void reading.finally(() => {
      this.pending = false;
      release();
    });
    return reading;
  }
}
