import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/**
 * NODE_FLAGS are the node flags of the exporter's shebang (--max-semi-space-size=2), which
 * every way of starting it passes: without them the memory bounds would be tested on V8's
 * own young generation, up to 32 MiB on Node 20 and 22 and 64 MiB on 24 and 26.
 */
export const NODE_FLAGS = (/^#!.*\bnode\b(.*)$/.exec(readFileSync(MAIN, 'utf8').split('\n')[0]!)?.[1] ?? '')
  .trim()
  .split(/\s+/)
  .filter(Boolean);

export interface RunningExporter {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/**
 * startExporter runs the built exporter as a real process and waits for its "listening"
 * line (5 s unless `listenWithinMs` says more, for a start that reads thousands of files).
 */
export function startExporter(
  args: string[],
  env: Record<string, string> = {},
  listenWithinMs = 5000,
): Promise<RunningExporter> {
  const child = spawn(process.execPath, [...NODE_FLAGS, MAIN, '--web.listen-address=127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, atMs: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    // One that does not listen in time is ended, so no process (nor its pipes) outlives the test.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`exporter did not listen within ${listenWithinMs} ms:\n${stderr}`));
    }, listenWithinMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"address":"([^"]+)".*"msg":"listening"/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: `http://${match[1]}`, stderr: () => stderr, exited });
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exporter exited before listening:\n${stderr}`));
    });
  });
}

/**
 * runToExit runs the built exporter to completion and returns what it printed; `user` runs
 * it as another user (a root test process can drop its rights to see what a user meets).
 */
export function runToExit(
  args: string[],
  env: Record<string, string> = {},
  user: { uid?: number; gid?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...user,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
