import fc from 'fast-check';
import { MAX_TIMER_MS } from '../src/accounts/timing';
import { scrapeWaitMs } from '../src/web/scrape-budget';
import { parseDurationIn, RANGES } from '../src/config/durations';
import { after, balance, hang } from './helpers/fake-api';
import { Harness } from './helpers/harness';
import { describeEachLine } from './helpers/prometheus-lines';
import { runTool } from './helpers/promtool';

// A shared machine: an answer may come this much later than its budget and still pass.
const SLACK_MS = 300;

const timeoutMs = (flag: string) => {
  const parsed = parseDurationIn(flag, RANGES.timeout);
  if (!parsed.ok) throw new Error(parsed.problems.join());
  return parsed.value;
};

/** delays records every delay handed to setTimeout while `work` runs, by anyone. */
async function delaysDuring<T>(work: () => Promise<T>): Promise<{ result: T; delays: unknown[] }> {
  const spy = jest.spyOn(global, 'setTimeout');
  try {
    const result = await work();
    return { result, delays: spy.mock.calls.map((call) => call[1]) };
  } finally {
    spy.mockRestore();
  }
}

const validDelay = (delay: unknown) =>
  delay === undefined ||
  (Number.isInteger(delay) && (delay as number) >= 0 && (delay as number) <= MAX_TIMER_MS);

const bodies: string[] = [];

// Every header and timeout flag seen to answer 500 or hang before the scrape core was
// redesigned, and the odd values around them. The API hangs, so each scrape waits its
// whole budget: header − offset (0.5 s), half the header when the offset leaves nothing,
// or the longest account timeout and 50 ms without a usable header, and never longer.
test.each([
  ['0.5', '5s', 250],
  ['0.25', '5s', 125],
  ['0.3', '5s', 150],
  ['0.01', '5s', 5],
  ['0.49', '5s', 245],
  ['1.0005', '5s', 500],
  ['0.0001', '5s', 0],
  ['16.1', '10ms', 60],
  ['1e9', '1s', 1050],
  ['NaN', '1s', 1050],
  ['-5', '1s', 1050],
  ['', '1s', 1050],
  ['abc', '300ms', 350],
  ['1.5', '16.1s', 1000],
  ['0.7', '1.0005s', 200],
  ['2', '5m', 1500],
])(
  'header %p with --tensorpix.timeout=%s: 200 after at most %p ms, valid exposition',
  async (header, flag, budgetMs) => {
    const h = await Harness.start({ upstreamTimeoutMs: timeoutMs(flag), realClock: true });
    try {
      h.upstream.reply(hang);
      const started = Date.now();
      const { result: text, delays } = await delaysDuring(() =>
        h.scrape(header === '' ? {} : { 'X-Prometheus-Scrape-Timeout-Seconds': header }),
      );
      const elapsedMs = Date.now() - started;
      expect(elapsedMs).toBeLessThanOrEqual(budgetMs + SLACK_MS);
      expect(delays.filter((delay) => !validDelay(delay))).toEqual([]);
      expect(Harness.value(text, 'tensorpix_up')).toBe(0);
      bodies.push(text);
    } finally {
      await h.close();
    }
  },
);

describeEachLine((line) => {
  line.test(['promtool'], 'every answer of the table above passes promtool check metrics', ({ promtool }) => {
    expect(bodies.length).toBeGreaterThan(0);
    for (const text of bodies)
      expect(runTool(promtool, ['check', 'metrics'], { input: text })).toEqual({
        status: 0,
        output: '',
      });
  });
});

// What a header or flag may say, odd values most of all.
const headerArbitrary = fc.oneof(
  fc.constantFrom('', '0', '-0', 'NaN', 'Infinity', '-5', '1e9', '1e-9', '0x10', ' 1 ', '.5', '5.', '1e400'),
  fc.double({ noNaN: false }).map(String),
  fc.double({ min: 0, max: 3, noNaN: true }).map(String),
  fc.string({ maxLength: 12 }),
);

test('property: whatever the header, offset and timeout, the real scrape path answers 200 within its budget and hands timers only whole, bounded delays', async () => {
  await fc.assert(
    fc.asyncProperty(
      headerArbitrary,
      fc.integer({ min: RANGES.timeoutOffset.minMs, max: RANGES.timeoutOffset.maxMs }),
      fc.integer({ min: RANGES.timeout.minMs, max: 250 }),
      fc.integer({ min: 0, max: 300 }),
      async (header, offsetMs, attemptTimeoutMs, apiDelayMs) => {
        const h = await Harness.start({
          upstreamTimeoutMs: attemptTimeoutMs,
          timeoutOffsetMs: offsetMs,
          realClock: true,
        });
        try {
          h.upstream.reply(after(apiDelayMs, balance('3.0000')));
          const started = Date.now();
          const { result: text, delays } = await delaysDuring(() =>
            h.scrape({ 'X-Prometheus-Scrape-Timeout-Seconds': header }),
          );
          // The budget is recomputed here only as a bound: it can never pass the timeout's.
          const budgetMs = scrapeWaitMs(header, attemptTimeoutMs, offsetMs);
          expect(budgetMs).toBeLessThanOrEqual(attemptTimeoutMs + 50);
          expect(Date.now() - started).toBeLessThanOrEqual(budgetMs + SLACK_MS);
          expect(delays.filter((delay) => !validDelay(delay))).toEqual([]);
          // Never a false value: a balance in the answer is the API's.
          const value = Harness.value(text, 'tensorpix_credits_balance_usd');
          expect(value === undefined || value === 3).toBe(true);
        } finally {
          await h.close();
        }
      },
    ),
    { numRuns: 40 },
  );
}, 60_000);
