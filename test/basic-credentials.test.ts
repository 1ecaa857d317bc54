import { hashSync } from 'bcryptjs';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { parseWebConfig, type WebConfig } from '../src/config/web-config';
import { credentialsOf } from '../src/web/basic-credentials';
import { Harness } from './helpers/harness';

// Passwords are compared as UTF-8 text: what is not UTF-8 is refused, never repaired into
// another password (the hostile review's case: the byte 0xFF read as U+FFFD).
const header = (...parts: Array<string | number[]>) =>
  `Basic ${Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)))).toString('base64')}`;

test.each<[string, string, { user: string; password: string } | undefined]>([
  ['a colon in the password', header('alice:pa:ss:word'), { user: 'alice', password: 'pa:ss:word' }],
  ['a unicode password', header('alice:pässwörd-🔑'), { user: 'alice', password: 'pässwörd-🔑' }],
  ['an empty user', header(':secret'), { user: '', password: 'secret' }],
  [
    'a leading byte-order mark, kept as sent',
    header([0xef, 0xbb, 0xbf], 'alice:x'),
    { user: '\uFEFFalice', password: 'x' },
  ],
  ['the byte 0xFF', header('alice:', [0xff]), undefined],
  ['a Latin-1 password (é as E9)', header('alice:caf', [0xe9]), undefined],
  ['an overlong encoding of "/"', header('alice:', [0xc0, 0xaf]), undefined],
  ['an encoded UTF-16 surrogate', header('alice:', [0xed, 0xa0, 0x80]), undefined],
  ['invalid bytes in the user', header([0xff], 'alice:secret'), undefined],
  ['no colon', header('alice'), undefined],
  ['another scheme', 'Bearer abc', undefined],
])('%s', (_name, authorization, expected) => {
  expect(credentialsOf(authorization)).toEqual(expected);
});

function webConfig(yaml: string): WebConfig {
  const parsed = parseWebConfig('/virtual/web.yml', (path: string) =>
    path === '/virtual/web.yml' ? yaml : readFileSync(path, 'utf8'),
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.value;
}

let h: Harness | undefined;
afterEach(() => h?.close());

test.each([
  ['a colon in the password', 'alice', 'pa:ss:word'],
  ['a unicode password', 'alice', 'pässwörd-🔑'],
  ['an empty user', '', 'secret'],
  ['a unicode user', 'zoë', 'secret'],
])(
  'through the app, %s is accepted with the right password and refused with another',
  async (_name, user, password) => {
    h = await Harness.start({ web: webConfig(`basic_auth_users:\n  "${user}": ${hashSync(password, 4)}\n`) });
    const good = header(`${user}:${password}`);
    const bad = header(`${user}:${password}x`);
    expect((await request(h.handler).get('/-/healthy').set('Authorization', good)).status).toBe(200);
    expect((await request(h.handler).get('/-/healthy').set('Authorization', bad)).status).toBe(401);
  },
);

test('the one byte 0xFF does not pass for a configured password of U+FFFD', async () => {
  h = await Harness.start({ web: webConfig(`basic_auth_users:\n  alice: ${hashSync('\uFFFD', 4)}\n`) });
  const answer = await request(h.handler)
    .get('/-/healthy')
    .set('Authorization', header('alice:', [0xff]));
  expect(answer.status).toBe(401);
  expect(answer.headers['www-authenticate']).toMatch(/^Basic realm=.*charset="UTF-8"/);
  // The password itself, sent as UTF-8, is still the right one.
  expect(
    (await request(h.handler).get('/-/healthy').set('Authorization', header('alice:\uFFFD'))).status,
  ).toBe(200);
});
