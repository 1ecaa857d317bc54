/**
 * isWasmOutOfMemory tells the error V8 raises when a WebAssembly instance cannot get its
 * memory: undici parses HTTP with llhttp compiled to WebAssembly, and V8 reserves about
 * 10 GiB of address space (not memory) for each instance's memory, which an address-space
 * limit (`ulimit -v`, systemd's LimitAS=) refuses. On Node 20 and 22 loading undici also
 * builds the parser of Node's own copy: the exporter needs about 21 GiB (Node 20) or 23 GiB
 * (Node 22) of address space, where Node itself starts with 2. Node 24 does not reserve so.
 * Under a lower limit Node starts; only the parser fails, on every request.
 */
export function isWasmOutOfMemory(error: unknown): boolean {
  return (
    error instanceof RangeError && /WebAssembly/.test(error.message) && /out of memory/i.test(error.message)
  );
}

/** WASM_OUT_OF_MEMORY says what failed and what to do about it, for a log line or the start's refusal. */
export const WASM_OUT_OF_MEMORY =
  "the HTTP parser (WebAssembly) cannot allocate its memory: the process's address-space " +
  'limit (ulimit -v, systemd LimitAS=) is too low for WebAssembly, which reserves about ' +
  '10 GiB of address space (not of memory) per HTTP parser; remove that limit (ulimit -v ' +
  'unlimited, LimitAS=infinity) and bound memory with MemoryMax= or a container memory limit';

/** refuseWithoutWasmMemory ends the process as for any setting the exporter cannot run with: one line, exit 2. */
export function refuseWithoutWasmMemory(): never {
  process.stderr.write(`tensorpix-exporter: ${WASM_OUT_OF_MEMORY}\n`);
  process.exit(2);
}
