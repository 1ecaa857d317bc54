import { Writable } from 'node:stream';
import { createLogger, serializeError } from '../src/log/logger';
import { UpstreamError } from '../src/tensorpix/upstream-error';
import { Harness, TOKEN } from './helpers/harness';
import { balance, error } from './helpers/fake-api';

test('an account logs when its state changes, not on every scrape', async () => {
  const h = await Harness.start({ ttlMs: 0 });
  try {
    h.upstream.replySequence(
      balance('5.0000'),
      balance('4.0000'),
      error(503),
      error(503),
      error(401),
      balance('3.0000'),
    );
    for (let i = 0; i < 6; i++) {
      await h.scrape();
      h.clock.advance(10 * 60_000);
    }
    expect(h.upstream.requests).toHaveLength(6);
    const lines = h.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map(({ level, msg, err, account }) => ({ level, msg, err, account }))).toEqual([
      { level: 'info', msg: 'balance read', err: undefined, account: 'default' },
      {
        level: 'warn',
        msg: 'balance read failed: the API answered HTTP 503',
        err: { code: '503', status: 503 },
        account: 'default',
      },
      {
        level: 'warn',
        msg: 'balance read failed: the API rejected the token (HTTP 401: missing, invalid, or replaced by a newer key); the token comes from a value given at start',
        err: { code: '401', status: 401 },
        account: 'default',
      },
      { level: 'info', msg: 'balance read', err: undefined, account: 'default' },
    ]);
    // Every line of the account names the API's host.
    expect(new Set(lines.map((line) => line.api))).toEqual(new Set([new URL(h.upstream.url).host]));
  } finally {
    await h.close();
  }
});

test('the logger redacts authorization and token fields', () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info', format: 'logfmt', destination });
  logger.info(
    {
      headers: { authorization: `Token ${TOKEN}` },
      token: TOKEN,
      req: { headers: { authorization: TOKEN } },
    },
    'x',
  );
  expect(lines.join('')).not.toContain(TOKEN);
  expect(lines.join('')).toContain('headers.authorization=[REDACTED]');
});

test('errors are reduced to safe fields before logging', () => {
  const undiciLike = Object.assign(new Error('connect ECONNREFUSED'), {
    code: 'ECONNREFUSED',
    headers: { authorization: `Token ${TOKEN}` },
    body: 'upstream text',
  });
  expect(serializeError(undiciLike)).toEqual({
    type: 'Error',
    message: 'connect ECONNREFUSED',
    code: 'ECONNREFUSED',
  });
  expect(serializeError(new UpstreamError('429', 'upstream answered HTTP 429', 429, 5000))).toEqual({
    code: '429',
    status: 429,
  });
});
