import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

// `npm run demo` and `npm start` stop with the signal sent to npm. npm forwards SIGTERM to
// the process it spawned; were that a shell running node, the shell would die and node
// would live on under PID 1, holding the port. The scripts `exec` node, so npm's child is
// the exporter itself.
const REPO = join(__dirname, '..');

/** childrenOf lists the PIDs a process has spawned (Linux's /proc children file); none once it is gone. */
function childrenOf(pid: number): number[] {
  if (!existsSync(`/proc/${pid}`)) return [];
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
}

const commandOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

/** waitFor polls `done` every 20 ms for at most `limitMs`, and says whether it came true. */
async function waitFor(done: () => boolean, limitMs: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < limitMs;) {
    if (done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return done();
}

/** refused tells whether nothing listens on the port any more. */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(Boolean(socket.destroy())));
    socket.once('error', () => resolve(true));
  });

let npm: ChildProcess | undefined;
afterEach(() => {
  // Should a test fail half-way, nothing it started outlives it.
  for (const pid of npm?.pid ? childrenOf(npm.pid) : []) process.kill(pid, 'SIGKILL');
  npm?.kill('SIGKILL');
  npm = undefined;
});

test.each([
  // --ignore-scripts skips predemo's build (other tests are running dist/), not the script.
  ['npm run demo', ['run', 'demo', '--ignore-scripts', '--']],
  ['npm start', ['start', '--', '--demo']],
])('SIGTERM to `%s` stops the exporter and frees its port', async (_name, npmArgs) => {
  // The last --log.format wins over the demo script's logfmt.
  npm = spawn('npm', [...npmArgs, '--web.listen-address=127.0.0.1:0', '--log.format=json'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => npm!.on('exit', (code) => resolve(code)));
  const listening = () => /"address":"127\.0\.0\.1:(\d+)".*"msg":"listening"/.exec(stderr);
  expect(await waitFor(() => listening() !== null, 15_000)).toBe(true);
  const port = Number(listening()![1]);

  const [exporter, ...others] = childrenOf(npm.pid!);
  expect(others).toEqual([]);
  // npm's child is node itself, not a shell that would keep the signal, and node got the
  // memory option before the script (V8 reads it only at start: see start-options.test.ts).
  const [program, ...args] = commandOf(exporter!);
  const script = args.findIndex((arg) => !arg.startsWith('--'));
  expect({
    program: program!.split('/').pop(),
    options: args.slice(0, script),
    script: args[script],
  }).toEqual({
    program: 'node',
    options: ['--max-semi-space-size=2', '--heap-growing-percent=20'],
    script: 'dist/main.js',
  });

  npm.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(await waitFor(() => !existsSync(`/proc/${exporter}`), 3000)).toBe(true);
  expect(await refused(port)).toBe(true);
  expect(stderr).toContain('"msg":"shutting down"');
});
