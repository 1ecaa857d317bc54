import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { MAIN } from './helpers/child';

// A signal in the exporter's first milliseconds. Node resets every signal to its default
// action while it boots, before any JavaScript runs; the exporter's first statement takes
// SIGHUP, SIGTERM and SIGINT over. The moment it does is seen from outside, without any
// hook in the exporter: the kernel lists the signals a process catches (SigCgt in
// /proc/<pid>/status), and the SIGHUP bit appears when the first statement has run.

jest.setTimeout(30_000);

const children: ChildProcess[] = [];
afterEach(async () => {
  const ending = children.splice(0).map((child) => {
    if (child.exitCode !== null || child.signalCode !== null) return undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    return exited;
  });
  await Promise.all(ending);
});

/** catches tells whether the process catches `signo` (1 = SIGHUP), from /proc/<pid>/status. */
function catches(pid: number, signo: number): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) >> BigInt(signo - 1)) % 2n === 1n;
  } catch {
    return false;
  }
}

interface Started {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * startAndSignal spawns the exporter, waits (polling without a pause) until its first
 * statement has run, then sends `signal` `afterMs` later, timed on a busy wait.
 */
function startAndSignal(signal: NodeJS.Signals, afterMs: number, args: string[] = []): Started {
  const child = spawn(process.execPath, [MAIN, '--demo', '--web.listen-address=127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  const deadline = performance.now() + 10_000;
  while (!catches(child.pid!, 1))
    if (performance.now() > deadline) throw new Error('no SIGHUP handler in 10 s');
  const at = performance.now() + afterMs;
  while (performance.now() < at);
  child.kill(signal);
  return { child, stderr: () => stderr, exited };
}

async function listeningUrl(started: Started): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const match = /"address":"([^"]+)".*"msg":"listening"/.exec(started.stderr());
    if (match) return `http://${match[1]}`;
    if (started.child.exitCode !== null || started.child.signalCode !== null)
      throw new Error(`exited: ${started.child.exitCode ?? started.child.signalCode}\n${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not listening:\n${started.stderr()}`);
}

test.each([0, 5, 10])(
  'a SIGHUP %i ms after the first statement leaves the exporter alive, serving, and reloaded once',
  async (afterMs) => {
    const started = startAndSignal('SIGHUP', afterMs);
    const url = await listeningUrl(started);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(started.child.exitCode).toBeNull();
    expect(started.child.signalCode).toBeNull();
    const { statusCode, body } = await request(`${url}/metrics`);
    expect(statusCode).toBe(200);
    expect(await body.text()).toContain('tensorpix_up{account="demo"}');
    const log = started.stderr();
    // Held while it started, or taken once it listened: either way, one reload.
    expect(log.match(/"msg":"configuration reloaded"/g)).toHaveLength(1);
  },
);

test.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)(
  'a %s in the first milliseconds ends the exporter by its handler, with the shell status %i, not the default action',
  async (signal, status) => {
    const started = startAndSignal(signal, 0);
    const exited = await started.exited;
    expect(exited.signal).toBeNull();
    // The status of the signal while it starts; 0 should it have been listening already (a shutdown).
    expect([status, 0]).toContain(exited.code);
  },
);
