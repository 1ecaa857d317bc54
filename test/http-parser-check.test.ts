import { spawnSync } from 'node:child_process';
import { nodeSupportWarning } from '../src/node-support';
import { classifyError } from '../src/tensorpix/classify-error';
import { MAIN } from './helpers/child';

// 2 GB of address space: Node 20 and 22 start under it, but a WebAssembly memory (about
// 10 GiB of address space reserved) cannot be had, so undici's HTTP parser cannot be made.
const LIMIT_KB = 2_000_000;

/** underLimit runs `node <args>` with the address space limited (`ulimit -v`), and says how it ended. */
function underLimit(args: string[], timeoutMs: number) {
  const quoted = [process.execPath, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  return spawnSync('sh', ['-c', `ulimit -v ${LIMIT_KB} && exec ${quoted}`], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { PATH: process.env.PATH ?? '' },
  });
}

// The limit reproduces the fault only where Node starts under it and a WebAssembly memory
// then cannot be had (Node 24 and later reserve no guard region when they cannot).
const probe = underLimit(
  ['-e', 'try { new WebAssembly.Memory({ initial: 1 }) } catch { process.exit(3) }'],
  20_000,
);
const reproducible = probe.status === 3;
const testUnderLimit = reproducible ? test : test.skip;

testUnderLimit(
  'under an address-space limit WebAssembly cannot live with, the exporter refuses to start: exit 2, the reason and the fix',
  () => {
    const started = Date.now();
    const run = underLimit([MAIN, '--demo', '--web.listen-address=127.0.0.1:0'], 30_000);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(2);
    // It never listened, and said why in one line, not as a network fault.
    expect(run.stderr).not.toContain('"msg":"listening"');
    expect(run.stderr).not.toContain('RangeError');
    expect(run.stderr).toMatch(
      /^tensorpix-exporter: the HTTP parser \(WebAssembly\) cannot allocate its memory: .*address-space limit \(ulimit -v, systemd LimitAS=\).*LimitAS=infinity/m,
    );
    // One line, beside the end-of-life warning that every start on Node 20 gives.
    const lineWarning = nodeSupportWarning(process.versions);
    const own = run.stderr
      .trim()
      .split('\n')
      .filter((line) => !(lineWarning && line.includes(JSON.stringify(lineWarning))));
    expect(own).toHaveLength(1);
    // Generous: the check is one loopback request; on a loaded machine start-up alone takes a second.
    expect(Date.now() - started).toBeLessThan(20_000);
  },
);

test('should the parser fail anyway, the request names it rather than a bare RangeError', () => {
  const error = classifyError(
    new RangeError('WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance'),
    false,
  );
  expect(error.message).toMatch(/HTTP parser \(WebAssembly\) cannot allocate its memory.*ulimit -v/);
  // A RangeError of another kind stays what it was.
  expect(classifyError(new RangeError('Invalid array length'), false).message).toBe(
    'request failed (RangeError)',
  );
});
