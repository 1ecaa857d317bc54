import { Agent, request, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** PROMETHEUS_HEADERS are what Prometheus 3 sends with every scrape. */
const PROMETHEUS_HEADERS = {
  Accept:
    'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=underscores;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
  'Accept-Encoding': 'gzip',
  'User-Agent': 'Prometheus/3.5.0',
  'X-Prometheus-Scrape-Timeout-Seconds': '10',
};

/** GIVE_UP_MS bounds one scrape, so a hung exporter fails the row instead of stalling it. */
const GIVE_UP_MS = 5000;

/** Scrape is one legitimate scrape: how long it took to the last byte and what it got. */
export interface Scrape {
  ms: number;
  status?: number;
  error?: string;
  /** retried is true when a kept-alive connection was closed under it and it went again on a new one. */
  retried: boolean;
  /** healthy is true when the body holds a tensorpix_up 1 sample. */
  healthy: boolean;
  /** newConnection is true when the answer came on a new connection (the kept-alive one was gone). */
  newConnection?: boolean;
}

/**
 * LegitScraper scrapes as Prometheus does: its headers, one kept-alive connection, one scrape
 * at a time, and — as Go's transport does — one transparent retry on a new connection when
 * the exporter closed the kept-alive one before answering (an idle connection the exporter
 * shed is not a failed scrape). Latency counts from the first try.
 */
export class LegitScraper {
  readonly scrapes: Scrape[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly authorization?: string,
  ) {}

  /** scrape scrapes once, with the scraper's credentials or, for a warm-up, others. */
  async scrape(authorization = this.authorization): Promise<Scrape> {
    const started = performance.now();
    let retried = false;
    for (;;) {
      const outcome = await this.tryOnce(authorization);
      if (outcome.kind === 'answer' || !outcome.reused || retried) {
        const ms = performance.now() - started;
        return outcome.kind === 'answer'
          ? {
              ms,
              status: outcome.status,
              retried,
              healthy: /^tensorpix_up\{[^}]*\} 1$/m.test(outcome.body),
              newConnection: !outcome.reused,
            }
          : { ms, error: outcome.error, retried, healthy: false };
      }
      retried = true;
    }
  }

  /** start scrapes every `intervalMs` (or right after a scrape that took longer) until stop. */
  start(intervalMs = 200): void {
    this.stopped = false;
    const loop = async () => {
      const started = Date.now();
      this.scrapes.push(await this.scrape());
      if (!this.stopped)
        this.timer = setTimeout(
          () => (this.running = loop()),
          Math.max(0, started + intervalMs - Date.now()),
        );
    };
    this.running = loop();
  }

  async stop(): Promise<Scrape[]> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    return this.scrapes;
  }

  close(): void {
    this.agent.destroy();
  }

  private tryOnce(
    authorization: string | undefined,
  ): Promise<
    | { kind: 'answer'; status: number; body: string; reused: boolean }
    | { kind: 'failed'; error: string; reused: boolean }
  > {
    return new Promise((resolve) => {
      const req = request(
        this.url + '/metrics',
        {
          agent: this.agent,
          headers: {
            ...PROMETHEUS_HEADERS,
            ...(authorization && { Authorization: authorization }),
          },
          timeout: GIVE_UP_MS,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => resolve({ kind: 'failed', error: error.message, reused: false }));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
            resolve({
              kind: 'answer',
              status: res.statusCode ?? 0,
              body: body.toString('utf8'),
              reused: req.reusedSocket,
            });
          });
        },
      );
      let timedOut = false;
      req.on('timeout', () => {
        timedOut = true;
        req.destroy(new Error(`no answer within ${GIVE_UP_MS} ms`));
      });
      // Only a kept-alive connection closed under a request is worth a retry, as in Go; a timeout is not.
      req.on('error', (error) =>
        resolve({ kind: 'failed', error: error.message, reused: req.reusedSocket && !timedOut }),
      );
      req.end();
    });
  }
}
