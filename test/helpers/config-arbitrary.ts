// Generated configurations for the property "--config.check accepts ⇒ the exporter serves":
// a web config file (headers, sometimes basic auth users) and an API URL, both mixing what
// operators write with what they paste by mistake (typographic quotes, line breaks, a bare
// "?" or "#", an empty user@, odd schemes and ports).
import fc from 'fast-check';

export interface GeneratedConfig {
  /** webYaml is the web config file's text. */
  webYaml: string;
  apiUrl: string;
  /** user is the basic auth user to send (with the hashes' password), when users are set. */
  user?: string;
}

// Each allowed header with values the toolkit takes for it (the free ones take any text).
const SENSIBLE: Record<string, string[]> = {
  'Content-Security-Policy': ["default-src 'self'", "default-src 'none'; img-src data:", ''],
  'X-Frame-Options': ['deny', 'SAMEORIGIN', ''],
  'X-Content-Type-Options': ['nosniff', 'NOSNIFF'],
  'X-XSS-Protection': ['0', '1; mode=block'],
  'Strict-Transport-Security': ['max-age=31536000; includeSubDomains', 'max-age=0'],
};
const FREE = ['Content-Security-Policy', 'X-XSS-Protection', 'Strict-Transport-Security'];
const PASTED = ['default-src ’self’', '“self”', 'deny', 'nosniff', '0', ''];
// Characters that are fine, that Node sends as Latin-1, and that Node refuses.
const FINE_CHARS = [...'ab -;=\'"/:*\t', ...'é×ÿ\u0085\u00a0'];
const BAD_CHARS = [...'’“”\r\n\u0000\u007f🙂'];

const chars = (alphabet: string[], maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((list) => list.join(''));

/** header is a name and a value: mostly what an operator writes, sometimes what goes wrong. */
const header = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...Object.keys(SENSIBLE))
      .chain((name) => fc.tuple(fc.constant(name), fc.constantFrom(...SENSIBLE[name]!))),
  },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...FREE), chars(FINE_CHARS, 24)) },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom(...FREE, 'X-Frame-Options'),
      fc.oneof(
        fc.constantFrom(...PASTED),
        chars([...FINE_CHARS, ...BAD_CHARS], 24),
        fc.string({ unit: 'binary', maxLength: 16 }),
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.oneof(
        fc.constantFrom('', 'Set-Cookie', 'X Frame-Options', 'X-Frame-Options:', 'Contént'),
        fc.string({ maxLength: 12 }),
      ),
      fc.oneof(fc.constantFrom(...PASTED), fc.integer(), fc.boolean(), fc.constant(null)),
    ),
  },
);

/** users are basic_auth_users: mostly absent; else hashes of the password, right or mangled. */
function usersArbitrary(hashes: string[]) {
  const hash = fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .tuple(fc.constantFrom(...hashes), fc.constantFrom('2a', '2b', '2y'))
        .map(([real, version]) => real.replace(/^\$2[aby]/, `$${version}`)),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...hashes),
          fc.constantFrom('2a', '2x', '2', '1', '2y'),
          fc.constantFrom('03', '31', '13', '00', '4', '99'),
        )
        .map(([real, version, cost]) => `$${version}$${cost}$${real.slice(7)}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('hunter2', '') },
  );
  const user = fc.constantFrom('alice', 'bob', 'prometheus');
  // One configuration in four has users: each one served starts two bcrypt threads.
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.uniqueArray(fc.tuple(user, hash), { minLength: 1, maxLength: 2, selector: ([u]) => u }),
    },
  );
}

/**
 * apiUrlArbitrary makes API URLs; `names` adds host names (which the in-process test
 * resolves to 127.0.0.1 itself); without it every host is 127.0.0.1.
 */
function apiUrlArbitrary(apiPort: number, names: boolean) {
  const hosts = ['127.0.0.1', ...(names ? ['api.tensorpix.test', 'BÜCHER.test', 'xn--bcher-kva.test'] : [])];
  const sometimes = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
  return fc
    .tuple(
      sometimes(
        fc.constantFrom('http://', 'https://', 'HTTP://'),
        fc.constantFrom('http:/', 'http:\\\\', 'ftp://', 'http:'),
      ),
      sometimes(fc.constant(''), fc.constantFrom('@', 'user@', ':@', 'user:pw@')),
      fc.constantFrom(...hosts),
      sometimes(fc.constantFrom(`:${apiPort}`, ''), fc.constantFrom(':1', ':0', ':65536')),
      // A path: after the authority, so it starts with "/" (or is a stray character, as pasted).
      sometimes(
        chars([...'ab/.%20'], 10).map((path) => `/${path}`),
        chars([...'ab/.%20?#@ \\;’é'], 10),
      ),
      sometimes(fc.constantFrom('', '/', '//'), fc.constantFrom('?', '/?', '#', '/#', '/?a=b', ' ', '\t')),
    )
    .map((parts) => parts.join(''));
}

/** configArbitrary makes a web config and an API URL; `names` lets hosts be other than 127.0.0.1. */
export function configArbitrary(options: {
  apiPort: number;
  hashes: string[];
  names?: boolean;
}): fc.Arbitrary<GeneratedConfig> {
  return fc
    .tuple(
      fc.option(fc.array(header, { maxLength: 2 }), { freq: 6 }),
      usersArbitrary(options.hashes),
      apiUrlArbitrary(options.apiPort, options.names ?? true),
    )
    .map(([headers, users, apiUrl]) => {
      // JSON is YAML: every string is written with escapes, whatever it holds.
      const document = {
        ...(headers && { http_server_config: { headers: Object.fromEntries(headers) } }),
        ...(users && { basic_auth_users: Object.fromEntries(users) }),
      };
      return {
        webYaml: JSON.stringify(document),
        apiUrl,
        ...(users && { user: users[0]![0] }),
      };
    });
}
