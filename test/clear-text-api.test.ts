import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeSupportWarning } from '../src/node-support';
import { clearTextApis } from '../src/check/clear-text-api';
import { startExporter } from './helpers/child';

test('an http:// API off this machine is named once; https:// and loopback ones are not', () => {
  expect(
    clearTextApis([
      'http://api.internal:8080/prefix',
      'http://api.internal:8080',
      'http://192.0.2.7',
      'http://[2001:db8::1]:81',
      'https://backend.tensorpix.ai',
      'http://127.0.0.1:9000',
      'http://127.8.9.10',
      'http://localhost:9000',
      'http://[::1]:9000',
    ]),
  ).toEqual(['http://api.internal:8080', 'http://192.0.2.7', 'http://[2001:db8::1]:81']);
});

describe('the built exporter', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorpix-clear-text-'));
    writeFileSync(join(dir, 'token'), 'clear-text-test-token\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** warningsAtStart starts the exporter on `apiUrl` (no scrape: no request is sent) and returns its warnings. */
  async function warningsAtStart(apiUrl: string): Promise<Array<Record<string, unknown>>> {
    const exporter = await startExporter([
      `--tensorpix.api-url=${apiUrl}`,
      `--tensorpix.token-file=${join(dir, 'token')}`,
    ]);
    exporter.child.kill('SIGTERM');
    await exporter.exited;
    return (
      exporter
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        // On Node 20 (past its end of life) every start warns about the line it runs on too.
        .filter((entry) => entry.level === 'warn' && entry.msg !== nodeSupportWarning(process.versions))
    );
  }

  test('warns once at start that the token travels in clear to an http:// API off this machine', async () => {
    const warnings = await warningsAtStart('http://192.0.2.7:8080/api-prefix');
    expect(warnings).toEqual([
      expect.objectContaining({
        api_urls: ['http://192.0.2.7:8080'],
        msg: expect.stringMatching(/token and the balance travel in clear.*forge the balance/),
      }),
    ]);
    expect(JSON.stringify(warnings)).not.toContain('clear-text-test-token');
  });

  test('says nothing for a loopback http:// API', async () => {
    expect(await warningsAtStart('http://127.0.0.1:9')).toEqual([]);
  });
});
