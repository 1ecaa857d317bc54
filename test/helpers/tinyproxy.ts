import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTool } from './external-tools';

export interface TinyproxyOptions {
  /** port to listen on (one from freePort(), when the proxy's URL must be known first); free by default. */
  port?: number;
  /** connectPorts are the only ports CONNECT may reach (tinyproxy's ConnectPort). */
  connectPorts: number[];
  /** basicAuth makes the proxy demand these credentials (tinyproxy's BasicAuth). */
  basicAuth?: { user: string; password: string };
}

/** Tinyproxy is a real tinyproxy on 127.0.0.1, started with a configuration the test wrote. */
export interface Tinyproxy {
  url: string;
  host: string;
  /** log is what tinyproxy logged since it began accepting connections. */
  log(): string;
  /** connects are the CONNECT requests it received, as "host:port". */
  connects(): string[];
  stop(): Promise<void>;
}

/** freePort is a port nothing listens on right now (the OS's choice for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const READY = 'Accepting connections';

/**
 * startTinyproxy writes a tinyproxy configuration (listen on 127.0.0.1 at a free port,
 * CONNECT to the given ports only, optional Basic auth, a log file at Info level, which
 * logs every request line) and runs tinyproxy in the foreground until stop().
 */
export async function startTinyproxy(binary: string, options: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'tensorpix-tinyproxy-'));
  const logFile = join(dir, 'tinyproxy.log');
  const port = options.port ?? (await freePort());
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 10',
    `LogFile "${logFile}"`,
    'LogLevel Info',
    'MaxClients 50',
    'Allow 127.0.0.1',
    ...options.connectPorts.map((p) => `ConnectPort ${p}`),
    ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []),
  ];
  writeFileSync(join(dir, 'tinyproxy.conf'), `${config.join('\n')}\n`);
  const child: ChildProcess = spawn(binary, ['-d', '-c', join(dir, 'tinyproxy.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  // Ready once its log says so; polled, at most 5 s. Probing the port would log a client.
  const started = Date.now();
  while (!readLog().includes(READY)) {
    if (child.exitCode !== null || Date.now() - started > 5000) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`tinyproxy did not start:\n${output}\n${readLog()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const offset = readLog().indexOf(READY) + READY.length;
  const log = () => readLog().slice(offset);
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    log,
    connects: () =>
      [...log().matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((m) => m[1]!),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * describeWithTinyproxy declares `body` with the path of tinyproxy; without it, a skipped
 * test and a warning naming the Debian package, or a failing test with CI set.
 */
export function describeWithTinyproxy(title: string, body: (binary: string) => void): void {
  describeWithTool('tinyproxy', title, body);
}
