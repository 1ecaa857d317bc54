/** SimulatedAnswer is what the simulated API answers to one balance request. */
export type SimulatedAnswer =
  { status: 200; balance: string } | { status: 429; retryAfterSeconds: number } | { status: 503 };

export interface SimulationOptions {
  now: () => number;
  /** random returns a number in [0, 1), as Math.random does. */
  random: () => number;
  startBalance?: number;
  /** spendPerHour is the mean spending of the simulated jobs. */
  spendPerHour?: number;
  topUpBelow?: number;
  topUpAmount?: number;
  /** faultRate is the share of requests answered 429 or 503 (never the first one). */
  faultRate?: number;
}

/**
 * SimulatedAccount is a TensorPix account whose balance falls as simulated jobs spend
 * credits, is topped up when it runs low, and whose API now and then throttles (429 with
 * Retry-After) or is unavailable (503). The first request always succeeds so a newcomer
 * sees a balance at once.
 */
export class SimulatedAccount {
  private balance: number;
  private lastMs: number;
  private requests = 0;
  private readonly options: Required<SimulationOptions>;

  constructor(options: SimulationOptions) {
    this.options = {
      startBalance: 42.5,
      spendPerHour: 6,
      topUpBelow: 5,
      topUpAmount: 50,
      faultRate: 0.05,
      ...options,
    };
    this.balance = this.options.startBalance;
    this.lastMs = this.options.now();
  }

  answer(): SimulatedAnswer {
    const { now, random, spendPerHour, topUpBelow, topUpAmount, faultRate } = this.options;
    const nowMs = now();
    // Jobs spend in bursts: the mean rate over the elapsed time, scaled by 0-2x.
    const hours = Math.max(0, nowMs - this.lastMs) / 3_600_000;
    this.balance -= hours * spendPerHour * 2 * random();
    this.lastMs = nowMs;
    if (this.balance < topUpBelow) this.balance += topUpAmount;
    this.requests++;
    if (this.requests > 1) {
      const roll = random();
      if (roll < faultRate / 2) return { status: 429, retryAfterSeconds: 30 };
      if (roll < faultRate) return { status: 503 };
    }
    return { status: 200, balance: this.balance.toFixed(4) };
  }
}
