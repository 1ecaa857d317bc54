import { makeTestCerts, type TestCerts } from './helpers/certs';
import { startExporter, type RunningExporter } from './helpers/child';
import { sampleValue } from './helpers/exposition';
import { balance, startFakeApi, type FakeApi } from './helpers/fake-api';
import { describeWithTinyproxy, freePort, startTinyproxy, type Tinyproxy } from './helpers/tinyproxy';

const TOKEN = 'tpx-process-token-8c1e';
const PASSWORD = 'proc-pr0xy-pass';

let certs: TestCerts;
let api: FakeApi;
let proxy: Tinyproxy | undefined;
let exporter: RunningExporter | undefined;
beforeAll(() => (certs = makeTestCerts()));
afterAll(() => certs.cleanup());
beforeEach(async () => {
  api = await startFakeApi({ tls: certs.server });
  api.reply(balance('7.5000'));
});
afterEach(async () => {
  exporter?.child.kill('SIGKILL');
  await exporter?.exited;
  await proxy?.stop();
  await api.close();
  exporter = proxy = undefined;
});

async function scrape(): Promise<string> {
  const response = await fetch(`${exporter!.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describeWithTinyproxy('the built exporter behind tinyproxy', (binary) => {
  test('a proxy URL with credentials in the flag’s variable: read through the tunnel, nothing secret shown', async () => {
    proxy = await startTinyproxy(binary, {
      connectPorts: [Number(new URL(api.url).port)],
      basicAuth: { user: 'exporter', password: PASSWORD },
    });
    exporter = await startExporter(
      [`--tensorpix.api-url=${api.url}`, `--tensorpix.ca-file=${certs.ca.certFile}`],
      {
        TENSORPIX_API_TOKEN: TOKEN,
        TENSORPIX_EXPORTER_TENSORPIX_PROXY_URL: proxy.url.replace('://', `://exporter:${PASSWORD}@`),
      },
    );
    const text = await scrape();
    expect(sampleValue(text, 'tensorpix_credits_balance_usd', { account: 'default' })).toBe(7.5);
    expect(proxy.connects()).toEqual([new URL(api.url).host]);
    expect(proxy.log()).not.toContain(TOKEN);
    // What ps shows, what is logged and what is exported hold neither the password nor the token.
    const shown = [exporter.child.spawnargs.join(' '), exporter.stderr(), text].join('\n');
    for (const secret of [PASSWORD, TOKEN, Buffer.from(`exporter:${PASSWORD}`).toString('base64')])
      expect(shown).not.toContain(secret);
    expect(exporter.stderr()).toContain(
      `"route":"proxy ${proxy.url} (from TENSORPIX_EXPORTER_TENSORPIX_PROXY_URL, credentials from the URL)"`,
    );
  });

  test('HTTPS_PROXY does not take a loopback API, as in Go: the proxy sees nothing', async () => {
    proxy = await startTinyproxy(binary, { connectPorts: [Number(new URL(api.url).port)] });
    exporter = await startExporter(
      [`--tensorpix.api-url=${api.url}`, `--tensorpix.ca-file=${certs.ca.certFile}`],
      {
        TENSORPIX_API_TOKEN: TOKEN,
        HTTPS_PROXY: proxy.url,
      },
    );
    const text = await scrape();
    expect(sampleValue(text, 'tensorpix_up', { account: 'default' })).toBe(1);
    expect(api.requests).toHaveLength(1);
    expect(proxy.log()).not.toMatch(/connect/i);
  });
});

test('the built exporter with its proxy down: code="proxy", and the log names the proxy', async () => {
  const down = `127.0.0.1:${await freePort()}`;
  exporter = await startExporter(
    [`--tensorpix.api-url=${api.url}`, `--tensorpix.ca-file=${certs.ca.certFile}`],
    {
      TENSORPIX_API_TOKEN: TOKEN,
      TENSORPIX_EXPORTER_TENSORPIX_PROXY_URL: `http://${down}`,
    },
  );
  const text = await scrape();
  expect(sampleValue(text, 'tensorpix_upstream_errors_total', { account: 'default', code: 'proxy' })).toBe(1);
  const failure = exporter
    .stderr()
    .split('\n')
    .find((line) => line.includes('balance read failed'));
  expect(JSON.parse(failure!)).toMatchObject({
    account: 'default',
    proxy: down,
    err: { code: 'proxy', proxy: down, proxy_error: 'ECONNREFUSED' },
  });
});
