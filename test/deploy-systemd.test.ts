import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testWithTool } from './helpers/external-tools';

const UNIT = join(__dirname, '..', 'deploy', 'systemd', 'tensorpix-exporter.service');
const EXEC = '/usr/local/bin/tensorpix-exporter';
const text = readFileSync(UNIT, 'utf8');

/** settings maps each key of a section to its values, in order (a key may repeat). */
function settings(section: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current = '';
  for (const line of text.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) current = header[1]!;
    const setting = /^(\w+)=(.*)$/.exec(line);
    if (setting && current === section)
      result.set(setting[1]!, [...(result.get(setting[1]!) ?? []), setting[2]!]);
  }
  return result;
}

const service = settings('Service');
const value = (key: string) => service.get(key)?.at(-1);

test('the token comes from a systemd credential, never from the unit itself', () => {
  expect(value('LoadCredential')).toBe('token:/etc/tensorpix-exporter/token');
  expect(service.get('Environment')).toContain('TENSORPIX_API_TOKEN_FILE=%d/token');
  expect(text).not.toMatch(/TENSORPIX_API_TOKEN=/);
  expect(value('ExecStart')).toBe(EXEC);
  expect(value('Restart')).toBe('on-failure');
});

test('the service is hardened', () => {
  expect(Object.fromEntries([...service].map(([key, values]) => [key, values.at(-1)]))).toMatchObject({
    DynamicUser: 'yes',
    NoNewPrivileges: 'yes',
    CapabilityBoundingSet: '',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    ProtectKernelTunables: 'yes',
    ProtectKernelModules: 'yes',
    ProtectKernelLogs: 'yes',
    ProtectControlGroups: 'yes',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
    RestrictNamespaces: 'yes',
    LockPersonality: 'yes',
    SystemCallArchitectures: 'native',
  });
  // Memory is bounded, above what the benchmark measured.
  expect(value('MemoryMax')).toBe('288M');
  // Node's JIT needs writable and executable memory; the reason stands next to the setting.
  expect(value('MemoryDenyWriteExecute')).toBe('no');
  expect(text).toMatch(/JIT[^[]*\nMemoryDenyWriteExecute=no\n/);
});

describe('systemd-analyze', () => {
  let dir: string;
  let unit: string;
  beforeAll(() => {
    // verify insists that ExecStart exists; a stub stands in for the npm-installed command.
    dir = mkdtempSync(join(tmpdir(), 'tensorpix-systemd-'));
    const stub = join(dir, 'tensorpix-exporter');
    writeFileSync(stub, '#!/bin/sh\n');
    chmodSync(stub, 0o755);
    unit = join(dir, 'tensorpix-exporter.service');
    writeFileSync(unit, text.replace(`ExecStart=${EXEC}`, `ExecStart=${stub}`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  testWithTool('systemd-analyze', 'verify finds nothing to report', (systemdAnalyze) => {
    // verify exits 0 even for unknown keys; it only warns, so standard error must be empty.
    const result = spawnSync(systemdAnalyze, ['verify', unit], { encoding: 'utf8', timeout: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  testWithTool('systemd-analyze', 'security rates the exposure at 2.0 or below ("OK")', (systemdAnalyze) => {
    const result = spawnSync(systemdAnalyze, ['security', '--offline=yes', '--threshold=20', unit], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stdout).toMatch(
      /Overall exposure level for tensorpix-exporter\.service: (?:[01]\.\d|2\.0)\b/,
    );
    expect(result.status).toBe(0);
  });
});
