// The promise of --config.check, as a property: whatever web config headers, basic auth
// users and API URL it accepts, the exporter built from that configuration answers
// /-/healthy and /metrics with 200. Each generated configuration is loaded by loadConfig
// (what --config.check, the start and a reload run) and, when accepted, served by
// createApp and the real server builder on 127.0.0.1:0. Every name in a generated URL
// resolves to 127.0.0.1 (the app's lookup); the fake API answers on its port, other ports
// refuse. A few configurations also go through the built CLI (config-check-process test).
import type { AddressInfo, LookupFunction } from 'node:net';
import { Writable } from 'node:stream';
import { hashSync } from 'bcryptjs';
import fc from 'fast-check';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/load-config';
import { createLogger } from '../src/log/logger';
import { createHttpServer } from '../src/web/http-server';
import { balance, startFakeApi, type FakeApi } from './helpers/fake-api';
import { configArbitrary, type GeneratedConfig } from './helpers/config-arbitrary';
import { statusOf } from './helpers/status-of';

const RUNS = Number(process.env.CONFIG_PROPERTY_RUNS ?? 1000);
const PASSWORD = 'pw';
// Hashes of PASSWORD at the two cheapest costs, so that a run with users stays fast.
const HASHES = [hashSync(PASSWORD, 4), hashSync(PASSWORD, 5)];

const quiet = createLogger({
  level: 'error',
  format: 'json',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

const lookup = ((_host, options, callback) => {
  const done = callback as (...args: unknown[]) => void;
  const all = typeof options === 'object' && options.all;
  process.nextTick(() =>
    all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4),
  );
}) as LookupFunction;

let api: FakeApi;
beforeAll(async () => {
  api = await startFakeApi();
  api.reply(balance('12.3400'));
});
afterAll(() => api.close());

/** serve starts the exporter in this process as main would, and answers the two statuses. */
async function serve(generated: GeneratedConfig): Promise<'refused' | { healthy: number; metrics: number }> {
  const files: Record<string, string> = { '/run/web.yml': generated.webYaml, '/run/token': 'a-token\n' };
  const result = loadConfig({
    argv: [
      '--web.config.file=/run/web.yml',
      '--tensorpix.token-file=/run/token',
      `--tensorpix.api-url=${generated.apiUrl}`,
      '--tensorpix.timeout=1s',
    ],
    env: {},
    readFile: (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    },
  });
  if (result.kind !== 'run') return 'refused';
  const app = createApp(result.config, { logger: quiet, isReady: () => true, lookup });
  const server = createHttpServer(app.handler, result.config.web?.tls);
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const authorization =
      generated.user === undefined
        ? undefined
        : `Basic ${Buffer.from(`${generated.user}:${PASSWORD}`).toString('base64')}`;
    return {
      healthy: await statusOf(port, '/-/healthy', authorization),
      metrics: await statusOf(port, '/metrics', authorization),
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close();
  }
}

test(`--config.check accepts ⇒ /-/healthy and /metrics answer 200 (${RUNS} generated configurations)`, async () => {
  let accepted = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(
      configArbitrary({ apiPort: Number(new URL(api.url).port), hashes: HASHES }),
      async (generated) => {
        const outcome = await serve(generated);
        if (outcome === 'refused') return;
        accepted++;
        expect(outcome).toEqual({ healthy: 200, metrics: 200 });
      },
    ),
    { numRuns: RUNS },
  );
  process.stdout.write(
    `config property: ${RUNS} configurations, ${accepted} accepted and served, in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  // Not vacuous: a good share of what is generated is accepted and served.
  expect(accepted).toBeGreaterThan(RUNS / 5);
}, 600_000);
