import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { runRow, type Attack, type Row, type RowResult } from './helpers/abuse-row';
import { startFakeApi, type FakeApi } from './helpers/fake-api';
import { openFilesLimit } from './helpers/proc-stats';

// The client-side twin of the fault matrix: each row starts the built exporter as a real
// process with its default limits, attacks it from another process for a few seconds while a
// well-behaved Prometheus scrapes every 200 ms, and holds it to issue 14's bounds.
const LEGIT_LATENCY_MS = 1000;
/**
 * PEAK_RSS_BYTES is issue 14's bound, 200 MiB, on every Node line: with the heap options every
 * way of starting gives node (src/main.ts), the all-at-once row peaks at 137-143 MiB on Node
 * 24 and 26, where V8's default growth took it to 195-218.
 */
const PEAK_RSS_BYTES = 200 * 1024 * 1024;
/**
 * THOUSAND_ACCOUNTS_PEAK_RSS_BYTES bounds the rows with 1 000 accounts: the memory the sizing
 * table (docs/deployment.md) and the shipped limits (MemoryMax=288M, 288Mi) give that many.
 * prom-client renders their 35 000 series anew on every scrape, and a Prometheus scraping
 * every 200 ms alone holds the exporter near 150 MiB, attack or not; the single-account bound
 * above would measure the stack, not the attack.
 */
const THOUSAND_ACCOUNTS_PEAK_RSS_BYTES = 288 * 1024 * 1024;
const ATTACK_MS = 4000;
const ROW_TIMEOUT_MS = 60_000;

const TOKEN = 'tpx-abuse-matrix-token';
const USER = 'prometheus';
const PASSWORD = 'correct horse battery staple';
const LEGIT_AUTHORIZATION = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
// A second user warms the exporter up where Prometheus' own credentials must stay unverified.
const WARM_UP_AUTHORIZATION = `Basic ${Buffer.from('warm-up:warm-up password').toString('base64')}`;

// 6 000 connections need as many descriptors in the attacker (which raises its soft limit to
// the hard one); where the hard limit is lower, the row floods with what it allows.
const FLOOD = Math.min(6000, openFilesLimit().hard - 200);

let api: FakeApi;
let dir: string;
let single: Pick<Row, 'args' | 'env'>;
let thousand: Pick<Row, 'args' | 'env'>;
let withAuth: string[];
const report: Array<{ row: string; result: RowResult }> = [];

beforeAll(async () => {
  api = await startFakeApi();
  dir = mkdtempSync(join(tmpdir(), 'abuse-matrix-'));
  writeFileSync(join(dir, 'token'), TOKEN);
  const accounts = Array.from({ length: 1000 }, (_, i) => `  - name: account-${i}\n    token_file: token\n`);
  writeFileSync(join(dir, 'accounts.yml'), `accounts:\n${accounts.join('')}`);
  // Cost 10, htpasswd's and the toolkit's usual, is what makes guessing expensive.
  writeFileSync(
    join(dir, 'web.yml'),
    `basic_auth_users:\n  ${USER}: ${hashSync(PASSWORD, 10)}\n  warm-up: ${hashSync('warm-up password', 10)}\n`,
  );
  single = { args: [`--tensorpix.api-url=${api.url}`], env: { TENSORPIX_API_TOKEN: TOKEN } };
  thousand = {
    args: [
      `--tensorpix.api-url=${api.url}`,
      `--config.file=${join(dir, 'accounts.yml')}`,
      '--tensorpix.concurrency=64',
    ],
    env: {},
  };
  withAuth = [`--web.config.file=${join(dir, 'web.yml')}`];
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
  // ABUSE_MATRIX_REPORT=path writes every row's figures, for docs/security.md and the issue.
  if (process.env.ABUSE_MATRIX_REPORT)
    writeFileSync(process.env.ABUSE_MATRIX_REPORT, JSON.stringify(report, null, 2));
});

const authorized = (attack: Attack): Attack => ({ ...attack, authorization: LEGIT_AUTHORIZATION });

interface Case {
  name: string;
  exporter: () => Pick<Row, 'args' | 'env'>;
  auth?: boolean;
  /**
   * cold leaves Prometheus' credentials unverified until its first scrape, which comes half a
   * second into the attack: the verdict cache is empty after every start.
   */
  cold?: boolean;
  attacks: () => Attack[];
  /** cutOff are the attacks whose connections the exporter must have closed. */
  cutOff?: string[];
  /** durationMs is how long the attack lasts (ATTACK_MS unless the attack needs longer to build up). */
  durationMs?: number;
  /** peakRssBytes is the row's memory bound (PEAK_RSS_BYTES unless the row watches more accounts). */
  peakRssBytes?: number;
}

const CASES: Case[] = [
  {
    name: 'basic auth (bcrypt cost 10): 50 connections of random wrong passwords',
    exporter: () => single,
    auth: true,
    attacks: () => [{ kind: 'guess', connections: 50, user: USER }],
  },
  {
    // Guesses from one address take turns with Prometheus' check from another; before, they
    // filled the eight places of the bcrypt queue and every scrape got 429.
    name: 'basic auth, cold verdict cache: 50 connections of wrong passwords from 127.0.0.2, Prometheus from 127.0.0.1',
    exporter: () => single,
    auth: true,
    cold: true,
    attacks: () => [{ kind: 'guess', connections: 50, user: USER, from: '127.0.0.2' }],
  },
  {
    name: `${FLOOD} connections, half sending GET /metrics and never reading`,
    exporter: () => single,
    attacks: () => [{ kind: 'flood', connections: FLOOD, sendingShare: 0.5 }],
    cutOff: ['flood'],
    // Half of them ask for /metrics: answering 3 000 scrapes takes the exporter a few seconds.
    durationMs: 8000,
  },
  // Connections that made many quick requests and then idle, and new ones churning in: a
  // ranking by requests answered once shed Prometheus' new connection before its request
  // was read (Go does not retry a scrape cut on a new connection).
  ...[256, 8].map((max): Case => ({
    name: `--web.max-connections=${max}: the slots filled with connections that made 50 quick requests and idle, 4 loops churning more`,
    exporter: () => ({ ...single, args: [...single.args, `--web.max-connections=${max}`] }),
    attacks: () => [{ kind: 'busyIdle', connections: max, requests: 50, churn: 4 }],
    cutOff: ['busyIdle'],
  })),
  {
    name: '5 sockets × 3 000 pipelined GET /metrics, never read',
    exporter: () => single,
    attacks: () => [{ kind: 'pipeline', sockets: 5, requests: 3000 }],
    cutOff: ['pipeline'],
  },
  {
    name: 'slowloris: 1 000 connections, a header line every 500 ms',
    exporter: () => single,
    attacks: () => [{ kind: 'slowloris', connections: 1000, intervalMs: 500 }],
    cutOff: ['slowloris'],
  },
  {
    name: '1 000 accounts: 40 clients reading the answer at 1 byte/s',
    exporter: () => thousand,
    peakRssBytes: THOUSAND_ACCOUNTS_PEAK_RSS_BYTES,
    attacks: () => [{ kind: 'slowread', connections: 40 }],
  },
  {
    name: 'idle keep-alive flood: 3 000 connections',
    exporter: () => single,
    attacks: () => [{ kind: 'idle', connections: 3000 }],
    cutOff: ['idle'],
  },
  {
    name: 'GET /metrics with a 10 GB Content-Length, body streamed on 20 connections',
    exporter: () => single,
    attacks: () => [{ kind: 'body', connections: 20 }],
    cutOff: ['body'],
  },
  {
    // Everything at once. Past the guesses the attacker holds valid credentials (a leaked
    // password, a misbehaving authorized client), so every other attack reaches /metrics.
    name: 'all at once: basic auth, the attacker past the guesses holding valid credentials',
    exporter: () => single,
    auth: true,
    attacks: () => [
      { kind: 'guess', connections: 20, user: USER },
      authorized({ kind: 'flood', connections: Math.floor(FLOOD / 3), sendingShare: 0.5 }),
      authorized({ kind: 'pipeline', sockets: 2, requests: 3000 }),
      { kind: 'slowloris', connections: 300, intervalMs: 500 },
      authorized({ kind: 'slowread', connections: 10 }),
      authorized({ kind: 'idle', connections: 500 }),
      authorized({ kind: 'body', connections: 5 }),
    ],
    cutOff: ['flood', 'pipeline', 'slowloris', 'idle', 'body'],
  },
];

describe('abuse matrix: the exporter keeps serving Prometheus while hostile clients hit it', () => {
  test.each(CASES)(
    '$name',
    async ({
      name,
      exporter,
      auth,
      cold,
      attacks,
      cutOff = [],
      durationMs = ATTACK_MS,
      peakRssBytes = PEAK_RSS_BYTES,
    }) => {
      const { args, env } = exporter();
      const result = await runRow({
        name,
        args: [...args, ...(auth ? withAuth : [])],
        env,
        ...(auth && { authorization: LEGIT_AUTHORIZATION }),
        ...(cold && { warmUpAuthorization: WARM_UP_AUTHORIZATION, legitDelayMs: 500 }),
        attacks: attacks(),
        durationMs,
      });
      report.push({ row: name, result });

      // The scraper ran throughout (one scrape every 200 ms, give or take a slow machine).
      expect(result.scrapes.length).toBeGreaterThanOrEqual(durationMs / 200 / 2);
      const bad = result.scrapes.filter((s) => s.status !== 200 || !s.healthy || s.ms > LEGIT_LATENCY_MS);
      expect(bad).toEqual([]);
      expect(result.peakRssBytes).toBeLessThanOrEqual(peakRssBytes);
      // Alive and answering normally once the attack stops, every socket it held released.
      expect(result.after).toMatchObject({ status: 200, healthy: true });
      expect(result.after.ms).toBeLessThan(LEGIT_LATENCY_MS);
      expect(result.descriptors.after.total).toBeLessThanOrEqual(result.descriptors.before.total);
      // The hostile connections were cut off, not merely outlasted.
      expect(
        cutOff.filter((kind) => !result.attacker.some((a) => a.kind === kind && a.closedByPeer > 0)),
      ).toEqual([]);
    },
    ROW_TIMEOUT_MS,
  );
});
