import { Writable } from 'node:stream';

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[^\s"=\\]+$/.test(text) && text !== '' ? text : JSON.stringify(text);
}

/** toLogfmt renders one pino JSON line as `key=value` pairs, the format Prometheus' own tools print. */
export function toLogfmt(jsonLine: string): string {
  const record = JSON.parse(jsonLine) as Record<string, unknown>;
  const flat: string[] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(prefix ? `${prefix}.${key}` : key, inner);
    } else {
      flat.push(`${prefix}=${quote(value)}`);
    }
  };
  walk('', record);
  return flat.join(' ') + '\n';
}

/** logfmtStream is a pino destination that writes logfmt lines to `out`. */
export function logfmtStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(toLogfmt(line));
      done();
    },
  });
}
