import { collect } from '../result';
import { envName } from './flags';
import type { ConfigSources, FileReader } from './sources';
import type { ProxySetting } from './proxy-settings';
import { parseProxyUrl, readProxyCredentialsFile } from './proxy-url';
import { sourceOf } from './read-flags';

const URL_FLAG = 'tensorpix.proxy-url';
const CREDENTIALS_FLAG = 'tensorpix.proxy-credentials-file';

/**
 * proxyFromFlags reads --tensorpix.proxy-url and --tensorpix.proxy-credentials-file. A
 * URL with credentials is refused on the command line, where every user of the machine
 * reads it through ps, as a token is; in the flag's environment variable it is accepted.
 */
export function proxyFromFlags(
  given: ReadonlyMap<string, string>,
  onCommandLine: ReadonlySet<string>,
  env: ConfigSources['env'],
  readFile: FileReader,
  problems: string[],
): ProxySetting {
  const setting: ProxySetting = {};
  const text = given.get(URL_FLAG);
  if (text !== undefined) {
    const source = sourceOf(URL_FLAG, { env }, onCommandLine);
    if (text.trim() === '') {
      setting.explicit = { source };
    } else {
      const url = collect(parseProxyUrl(text), problems, `${source} `);
      if (url?.username !== undefined && onCommandLine.has(URL_FLAG)) {
        problems.push(
          `--${URL_FLAG} holds credentials, which every user of the machine can read through ps: put user:password in --${CREDENTIALS_FLAG}, or the URL in ${envName(URL_FLAG)}`,
        );
      } else if (url) {
        setting.explicit = { url, source };
      }
    }
  }
  const path = given.get(CREDENTIALS_FLAG);
  if (path !== undefined) {
    const named = { setting: sourceOf(CREDENTIALS_FLAG, { env }, onCommandLine), given: path };
    const value = collect(readProxyCredentialsFile(path, readFile, named), problems);
    if (value) setting.credentials = { value, source: path };
  }
  return setting;
}

/**
 * proxyFromMapping reads `proxy_url` and `proxy_credentials_file` of the accounts file's
 * top or of one account over the inherited setting. Credentials never follow a proxy they
 * were not given for: a level that sets its own proxy_url drops inherited credentials,
 * while a level that only sets proxy_credentials_file uses them for the inherited proxy.
 */
export function proxyFromMapping(
  mapping: Record<string, unknown>,
  prefix: string,
  inherited: ProxySetting,
  resolvePath: (path: string) => string,
  readFile: FileReader,
  problems: string[],
): ProxySetting {
  let { explicit, credentials } = inherited;
  if (mapping.proxy_url !== undefined) {
    const source = `${prefix}proxy_url`;
    credentials = undefined;
    if (typeof mapping.proxy_url !== 'string') {
      problems.push(`${source} must be a URL such as http://proxy.corp:3128, or "" to go direct`);
    } else if (mapping.proxy_url.trim() === '') {
      explicit = { source };
    } else {
      const url = collect(parseProxyUrl(mapping.proxy_url), problems, `${source} `);
      if (url) explicit = { url, source };
    }
  }
  if (mapping.proxy_credentials_file !== undefined) {
    const file = mapping.proxy_credentials_file;
    if (typeof file !== 'string' || file === '') {
      problems.push(`${prefix}proxy_credentials_file must be a file name`);
    } else {
      const path = resolvePath(file);
      const named = { setting: `${prefix}proxy_credentials_file`, given: file };
      const value = collect(
        readProxyCredentialsFile(path, readFile, named),
        problems,
        prefix && `${prefix.slice(0, -1)}: `,
      );
      if (value) credentials = { value, source: path };
    }
  }
  return { ...(explicit && { explicit }), ...(credentials && { credentials }) };
}
