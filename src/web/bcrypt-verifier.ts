import { Worker } from 'node:worker_threads';

// The worker's whole program. It is a string, run with `eval`, so that the same code runs
// from dist/ and under ts-jest; bcryptjs is required by the path the main thread resolved.
// It lowers its own priority (on Linux a nice value is per thread, so the event loop keeps
// its own): guesses then only get the CPU that serving Prometheus leaves. It makes its decoy
// hash first, at the users' cost, and then compares one password at a time, as
// exporter-toolkit serializes its bcrypt checks.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { randomBytes } = require('node:crypto');
try { require('node:os').setPriority(19); } catch {}
const bcrypt = require(workerData.bcryptjs);
const decoy = bcrypt.hashSync(randomBytes(16).toString('hex'), workerData.cost);
parentPort.on('message', ({ id, password, hash }) => {
  let matches = false;
  try {
    matches = bcrypt.compareSync(password, hash === null ? decoy : hash) && hash !== null;
  } catch {}
  parentPort.postMessage({ id, matches });
});
`;

/** Verifier compares a password with a bcrypt hash (undefined: an unknown user), or says it is too busy to. */
export interface Verifier {
  verify(password: string, hash: string | undefined): Promise<boolean> | 'busy';
  close(): Promise<void>;
}

/**
 * BcryptVerifier runs bcrypt comparisons on a worker thread, one at a time, so that no
 * number of guesses slows the event loop that serves Prometheus. At most `maxPending`
 * comparisons wait or run: beyond that verify answers 'busy' at once instead of queueing.
 * An unknown user (hash undefined) is compared with a decoy hash of the same cost, so the
 * time an answer takes does not tell which users exist.
 */
export class BcryptVerifier implements Verifier {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, (matches: boolean) => void>();

  constructor(
    private readonly cost: number,
    private readonly maxPending: number,
  ) {}

  verify(password: string, hash: string | undefined): Promise<boolean> | 'busy' {
    if (this.pending.size >= this.maxPending) return 'busy';
    const id = this.nextId++;
    const worker = this.worker ?? this.start();
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage({ id, password, hash: hash ?? null });
    });
  }

  /** close stops the worker; comparisons still pending answer false. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.settleAll();
    await worker?.terminate();
  }

  /** start makes the worker on first use: without basic auth no thread is spent. */
  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcryptjs: require.resolve('bcryptjs'), cost: this.cost },
    });
    // The worker alone never keeps the process alive; the server does.
    worker.unref();
    worker.on('message', ({ id, matches }: { id: number; matches: boolean }) => {
      this.pending.get(id)?.(matches);
      this.pending.delete(id);
    });
    // A worker that died (out of memory, a bug) fails what it held; the next check starts a new one.
    worker.on('error', () => this.stop(worker));
    worker.on('exit', () => this.stop(worker));
    this.worker = worker;
    return worker;
  }

  private stop(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.settleAll();
  }

  private settleAll(): void {
    for (const resolve of this.pending.values()) resolve(false);
    this.pending.clear();
  }
}
