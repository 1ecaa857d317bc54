import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { listenProblem } from '../src/web/listen-problem';
import { MAIN, runToExit } from './helpers/child';

// A port the exporter cannot have is the operator's to fix, like a bad flag: one line that
// says why and what to do, exit 2, and no JSON fatal with Node's words.
const lastLine = (text: string) => text.trimEnd().split('\n').pop();

let holder: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve())));

test('a port already in use (every interface, as the default :10863 is)', async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder!.listen(0, resolve));
  const { port } = holder.address() as AddressInfo;
  const { code, stderr } = await runToExit(['--demo', `--web.listen-address=:${port}`]);
  expect(code).toBe(2);
  expect(lastLine(stderr)).toBe(
    `tensorpix-exporter: cannot listen on :${port}: address already in use (choose another with --web.listen-address)`,
  );
  expect(stderr).not.toContain('"fatal"');
});

test('an address that is not on this machine (TEST-NET-1, bound, never sent to)', async () => {
  const { code, stderr } = await runToExit(['--demo', '--web.listen-address=192.0.2.1:10863']);
  expect(code).toBe(2);
  expect(lastLine(stderr)).toBe(
    'tensorpix-exporter: cannot listen on 192.0.2.1:10863: address not available on this machine (choose another with --web.listen-address)',
  );
});

/**
 * asUser is who meets "permission denied" on a low port: this user, or nobody when the tests
 * run as root (as CI does), since root may bind any port. It says why not when no one can
 * be: this kernel lets every user bind port 80, or nobody cannot read the built exporter.
 */
function asUser(): { uid?: number; gid?: number } | string {
  let start = 1024;
  try {
    start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  } catch {
    // not Linux, or an old kernel: ports below 1024 are privileged
  }
  if (start <= 80) return `every user may bind port 80 here (ip_unprivileged_port_start=${start})`;
  if (process.getuid?.() !== 0) return {};
  const nobody = { uid: 65534, gid: 65534 };
  const readable = spawnSync(
    process.execPath,
    ['-e', 'require("fs").accessSync(process.argv[1], 4)', MAIN],
    nobody,
  );
  return readable.status === 0 ? nobody : `the tests run as root and user nobody cannot read ${MAIN}`;
}

const user = asUser();
if (typeof user === 'string') console.warn(`${user}: skipping the permission-denied case`);
(typeof user !== 'string' ? test : test.skip)(
  'a port below 1024 without the right to it (run as nobody when root)',
  async () => {
    const { code, stderr } = await runToExit(
      ['--demo', '--web.listen-address=127.0.0.1:80'],
      {},
      typeof user === 'string' ? {} : user,
    );
    expect(code).toBe(2);
    expect(lastLine(stderr)).toBe(
      'tensorpix-exporter: cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; choose another with --web.listen-address)',
    );
  },
);

test.each<[string, unknown, { host?: string; port: number }, string]>([
  [
    'IPv6',
    { code: 'EADDRINUSE' },
    { host: '::1', port: 80 },
    'cannot listen on [::1]:80: address already in use',
  ],
  [
    'a host name',
    { code: 'ENOTFOUND' },
    { host: 'exporter.invalid', port: 1 },
    'cannot listen on exporter.invalid:1: host name not found',
  ],
  [
    'EACCES on a high port (no port advice)',
    { code: 'EACCES' },
    { port: 10863 },
    'cannot listen on :10863: permission denied',
  ],
  ['an unknown code', { code: 'EWHATEVER' }, { port: 1 }, 'cannot listen on :1: EWHATEVER'],
  ['no code', new Error('boom'), { port: 1 }, 'cannot listen on :1: boom'],
])('listenProblem: %s', (_name, error, listen, expected) => {
  expect(listenProblem(error, listen)).toBe(`${expected} (choose another with --web.listen-address)`);
});
