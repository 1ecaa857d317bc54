/** FairQueueLimits bound what waits, for one client and for all of them. */
export interface FairQueueLimits {
  /** perClient is how many tasks one client may have waiting or running. */
  perClient: number;
  /** total is how many tasks may wait or run across all clients. */
  total: number;
}

/**
 * Lane is where a task runs: 'first' holds the first task of a client that had nothing
 * pending (Prometheus after a start, once per credentials), 'rest' every later task of a
 * client that keeps the queue busy (guesses). Each lane runs one task at a time, so the
 * caller can run them at different priorities.
 */
export type Lane = 'first' | 'rest';

interface Waiting {
  run: (lane: Lane) => void;
  reject: () => void;
}

interface Client {
  key: string;
  waiting: Waiting[];
  running: boolean;
  /** servedAt is the turn at which the client was last served; 0 while it was never served since it came. */
  servedAt: number;
  /** since orders clients served at the same turn: who came first goes first. */
  since: number;
}

/**
 * FairQueue runs tasks in turns between clients (client addresses), one task of a client
 * at a time. A client that comes with nothing pending goes to the 'first' lane, ahead of
 * everyone who was served already; in the 'rest' lane the next task is the oldest one of
 * the client served longest ago. So however fast one client refills its share, another's
 * task waits at most for one task of each client that came before it. Nothing waits
 * unboundedly: a client past `perClient` gets 'busy' at once, and at `total` a newcomer
 * takes the place of the newest task of the client holding the most (that task answers
 * 'busy') if that client holds more than it.
 */
export class FairQueue {
  private readonly clients = new Map<string, Client>();
  private readonly busyLanes = new Set<Lane>();
  private pending = 0;
  private turn = 0;
  private arrivals = 0;

  constructor(private readonly limits: FairQueueLimits) {}

  /** run runs `task` in its client's turn, or answers 'busy' (at once, or when its place is taken). */
  run<T>(clientKey: string, task: (lane: Lane) => T | Promise<T>): Promise<T | 'busy'> {
    const known = this.clients.get(clientKey);
    const held = known ? heldBy(known) : 0;
    if (held >= this.limits.perClient) return Promise.resolve('busy');
    if (this.pending >= this.limits.total && !this.makeRoomFor(held)) return Promise.resolve('busy');
    const client = known ?? this.arrive(clientKey);
    this.pending++;
    return new Promise<T | 'busy'>((resolve) => {
      client.waiting.push({
        run: (lane) => {
          Promise.resolve(lane)
            .then(task)
            .then(resolve, () => resolve('busy'))
            .finally(() => {
              client.running = false;
              this.busyLanes.delete(lane);
              this.pending--;
              this.forget(client);
              this.next();
            });
        },
        reject: () => {
          this.pending--;
          resolve('busy');
        },
      });
      this.next();
    });
  }

  private arrive(key: string): Client {
    const client: Client = { key, waiting: [], running: false, servedAt: 0, since: ++this.arrivals };
    this.clients.set(key, client);
    return client;
  }

  /** next starts a task in each free lane, if one is there for it. */
  private next(): void {
    for (const lane of ['first', 'rest'] as const) {
      if (this.busyLanes.has(lane)) continue;
      let chosen: Client | undefined;
      for (const client of this.clients.values()) {
        if (client.running || client.waiting.length === 0) continue;
        if ((client.servedAt === 0) !== (lane === 'first')) continue;
        if (
          !chosen ||
          client.servedAt < chosen.servedAt ||
          (client.servedAt === chosen.servedAt && client.since < chosen.since)
        )
          chosen = client;
      }
      if (!chosen) continue;
      this.busyLanes.add(lane);
      chosen.running = true;
      chosen.servedAt = ++this.turn;
      chosen.waiting.shift()!.run(lane);
    }
  }

  /** makeRoomFor drops the newest waiting task of the client holding the most, if it holds more than `held` + 1. */
  private makeRoomFor(held: number): boolean {
    let biggest: Client | undefined;
    for (const client of this.clients.values()) {
      if (client.waiting.length > 0 && (!biggest || heldBy(client) > heldBy(biggest))) biggest = client;
    }
    if (!biggest || heldBy(biggest) <= held + 1) return false;
    biggest.waiting.pop()!.reject();
    this.forget(biggest);
    return true;
  }

  /** forget drops a client with nothing pending: when it comes back, it is new. */
  private forget(client: Client): void {
    if (client.waiting.length === 0 && !client.running && this.clients.get(client.key) === client)
      this.clients.delete(client.key);
  }
}

const heldBy = (client: Client) => client.waiting.length + (client.running ? 1 : 0);
