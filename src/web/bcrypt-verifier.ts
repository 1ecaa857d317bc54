import { Worker } from 'node:worker_threads';
import type { Lane } from './fair-queue';

// A worker's whole program. It is a string, run with `eval`, so that the same code runs
// from dist/ and under ts-jest; bcryptjs is required by the path the main thread resolved.
// The worker of later checks (guesses, mostly) lowers its own priority to the lowest (on
// Linux a nice value is per thread, so the event loop keeps its own): they only get the
// CPU that serving Prometheus leaves. The worker of first checks keeps the process'
// priority: at nice 19 Prometheus' own first check after a start took 2.6 s while an
// attacker kept the event loop busy answering 429s. Each worker makes its decoy hash
// first, at the users' cost, and then compares one password at a time.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { randomBytes } = require('node:crypto');
if (workerData.nice !== undefined) try { require('node:os').setPriority(workerData.nice); } catch {}
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

/** NICE is each lane's nice value; the first lane keeps the process' own. */
const NICE: Record<Lane, number | undefined> = { first: undefined, rest: 19 };

/**
 * Verifier compares a password with a bcrypt hash (undefined: an unknown user), or says it
 * could not ('busy'): too busy to start, or its worker died before answering. 'busy' is no
 * verdict, so nobody remembers it as a wrong password.
 */
export interface Verifier {
  /** verify compares in `lane`'s turn: 'first' checks run at normal priority, the rest at the lowest. */
  verify(password: string, hash: string | undefined, lane?: Lane): Promise<boolean | 'busy'> | 'busy';
  close(): Promise<void>;
}

/**
 * BcryptVerifier runs bcrypt comparisons on worker threads, one per lane, each one
 * comparison at a time, so that no number of guesses slows the event loop that serves
 * Prometheus. At most `maxPending` comparisons wait or run: beyond that verify answers
 * 'busy' at once instead of queueing. An unknown user (hash undefined) is compared with a
 * decoy hash of the same cost, so the time an answer takes does not tell which users exist.
 */
export class BcryptVerifier implements Verifier {
  private readonly workers = new Map<Lane, Worker>();
  private nextId = 0;
  private readonly pending = new Map<number, { lane: Lane; resolve: (verdict: boolean | 'busy') => void }>();

  constructor(
    private readonly cost: number,
    private readonly maxPending: number,
  ) {}

  verify(
    password: string,
    hash: string | undefined,
    lane: Lane = 'rest',
  ): Promise<boolean | 'busy'> | 'busy' {
    if (this.pending.size >= this.maxPending) return 'busy';
    const id = this.nextId++;
    const worker = this.workers.get(lane) ?? this.start(lane);
    return new Promise((resolve) => {
      this.pending.set(id, { lane, resolve });
      worker.postMessage({ id, password, hash: hash ?? null });
    });
  }

  /** warmUp starts a lane's worker now, so that its first comparison does not wait for the thread and its decoy. */
  warmUp(lane: Lane): this {
    if (!this.workers.has(lane)) this.start(lane);
    return this;
  }

  /** close stops the workers; comparisons still pending answer 'busy'. */
  async close(): Promise<void> {
    const workers = [...this.workers.values()];
    this.workers.clear();
    this.settle(() => true);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  /** start makes a lane's worker on first use: without basic auth (or guesses) no thread is spent. */
  private start(lane: Lane): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcryptjs: require.resolve('bcryptjs'), cost: this.cost, nice: NICE[lane] },
    });
    // The worker alone never keeps the process alive; the server does.
    worker.unref();
    worker.on('message', ({ id, matches }: { id: number; matches: boolean }) => {
      this.pending.get(id)?.resolve(matches);
      this.pending.delete(id);
    });
    // A worker that died (out of memory, a bug) answers 'busy' to what it held, never false:
    // a right password it was checking must not be remembered as wrong. The next check
    // starts a new worker.
    worker.on('error', () => this.stop(lane, worker));
    worker.on('exit', () => this.stop(lane, worker));
    this.workers.set(lane, worker);
    return worker;
  }

  private stop(lane: Lane, worker: Worker): void {
    if (this.workers.get(lane) !== worker) return;
    this.workers.delete(lane);
    this.settle((pending) => pending.lane === lane);
  }

  private settle(which: (pending: { lane: Lane }) => boolean): void {
    for (const [id, pending] of this.pending) {
      if (!which(pending)) continue;
      pending.resolve('busy');
      this.pending.delete(id);
    }
  }
}
