import type { SecureVersion } from 'node:tls';
import { collect, type Result } from '../result';
import {
  CIPHER_SUITES,
  CLIENT_AUTH_TYPES,
  CURVES,
  TLS_ORDER,
  TLS_VERSIONS,
  versionName,
  type ClientAuthType,
} from './tls-go-names';
import { tlsMaterialProblems, type PemOrigin } from './tls-material';
import { stringList } from './yaml-values';

/** TlsSettings is the server TLS of --web.config.file, with every file already read. */
export interface TlsSettings {
  cert: string;
  key: string;
  clientCa?: string;
  clientAuth: ClientAuthType;
  allowedSans: string[];
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  ciphers?: string;
  honorCipherOrder: boolean;
  ecdhCurve?: string;
  /** files are where the settings came from (absolute paths), watched for renewals. */
  files: TlsFiles;
}

/** TlsFiles are the web config file and the PEM files it names (those given inline have none). */
export interface TlsFiles {
  webConfig: string;
  cert?: string;
  key?: string;
  clientCa?: string;
}

type PemName = 'cert' | 'key' | 'clientCa';

/** Pems are the certificate, key and client CA as read, and where each came from. */
interface Pems {
  cert?: string;
  key?: string;
  clientCa?: string;
  origins: Partial<Record<PemName, PemOrigin>>;
}

/**
 * readPems reads the certificate, key and client CA, each given inline or as a file
 * (`locate` makes its name absolute), pushing a problem for each that is missing or doubled.
 */
function readPems(
  section: Record<string, unknown>,
  locate: (file: string) => string,
  read: (path: string) => Result<string>,
  problems: string[],
): Pems {
  const origins: Pems['origins'] = {};
  const pem = (name: PemName, inline: string, file: string, required: boolean): string | undefined => {
    const text = section[inline];
    const path = section[file];
    if (text !== undefined && path !== undefined) {
      problems.push(`tls_server_config: give ${inline} or ${file}, not both`);
      return undefined;
    }
    if (typeof text === 'string') {
      origins[name] = { key: inline };
      return text;
    }
    if (typeof path === 'string') {
      origins[name] = { key: file, path: locate(path) };
      return collect(read(locate(path)), problems, `tls_server_config.${file}: `);
    }
    if (required) problems.push(`tls_server_config.${file} is required`);
    return undefined;
  };
  const cert = pem('cert', 'cert', 'cert_file', true);
  const key = pem('key', 'key', 'key_file', true);
  const clientCa = pem('clientCa', 'client_ca', 'client_ca_file', false);
  return { cert, key, clientCa, origins };
}

/** readClientAuth reads client_auth_type, which needs a client CA to verify against. */
function readClientAuth(section: Record<string, unknown>, clientCa: string | undefined, problems: string[]) {
  const clientAuth = (section.client_auth_type ?? 'NoClientCert') as ClientAuthType;
  if (!CLIENT_AUTH_TYPES.includes(clientAuth)) {
    problems.push(`tls_server_config.client_auth_type must be one of ${CLIENT_AUTH_TYPES.join(', ')}`);
  } else if (/Verify/.test(clientAuth) && clientCa === undefined) {
    problems.push(`tls_server_config.client_ca_file is required with client_auth_type ${clientAuth}`);
  }
  return clientAuth;
}

/** readVersions reads min_version and max_version, which must leave a version Node can agree on. */
function readVersions(section: Record<string, unknown>, problems: string[]) {
  const version = (name: string, fallback: string): SecureVersion => {
    const value = section[name] ?? fallback;
    if (typeof value === 'string' && Object.hasOwn(TLS_VERSIONS, value)) return TLS_VERSIONS[value]!;
    problems.push(`tls_server_config.${name} must be one of ${Object.keys(TLS_VERSIONS).join(', ')}`);
    return 'TLSv1.2';
  };
  const minVersion = version('min_version', 'TLS12');
  const maxVersion = version('max_version', 'TLS13');
  // Go serves TLS 1.0 and 1.1; Node's OpenSSL 3 refuses them at its default security level
  // (their handshake signs with SHA-1), which no key here can lower: the server would make
  // its context, listen, and refuse every client. A min_version below TLS12 with TLS 1.2 or
  // 1.3 allowed stays taken, as the handshake agrees on one of those.
  if (TLS_ORDER.indexOf(maxVersion) < TLS_ORDER.indexOf('TLSv1.2'))
    problems.push(
      `tls_server_config.max_version ${versionName(maxVersion)} is below TLS12: Node's OpenSSL does not offer TLS 1.0 or 1.1 at its default security level, so no handshake could succeed; use TLS12 or TLS13`,
    );
  if (TLS_ORDER.indexOf(minVersion) > TLS_ORDER.indexOf(maxVersion))
    problems.push(
      `tls_server_config.min_version ${versionName(minVersion)} is above max_version ${versionName(maxVersion)}: no handshake could succeed`,
    );
  return { minVersion, maxVersion };
}

/** readHandshake reads the cipher suites, the curves and whose cipher order wins, in Go's names. */
function readHandshake(section: Record<string, unknown>, problems: string[]) {
  const ciphers = stringList(section.cipher_suites, 'tls_server_config.cipher_suites', problems).map(
    (name) => {
      if (!Object.hasOwn(CIPHER_SUITES, name))
        problems.push(`tls_server_config.cipher_suites: ${name} is not supported`);
      return CIPHER_SUITES[name];
    },
  );
  const curves = stringList(section.curve_preferences, 'tls_server_config.curve_preferences', problems).map(
    (name) => {
      if (!Object.hasOwn(CURVES, name))
        problems.push(`tls_server_config.curve_preferences: ${name} is not supported`);
      return CURVES[name];
    },
  );
  const honor = section.prefer_server_cipher_suites ?? true;
  if (typeof honor !== 'boolean')
    problems.push('tls_server_config.prefer_server_cipher_suites must be true or false');
  return { ciphers, curves, honorCipherOrder: honor === true };
}

/** readAllowedSans reads client_allowed_sans, which only a required client certificate can be held to. */
function readAllowedSans(section: Record<string, unknown>, clientAuth: ClientAuthType, problems: string[]) {
  const allowedSans = stringList(
    section.client_allowed_sans,
    'tls_server_config.client_allowed_sans',
    problems,
  );
  if (allowedSans.length > 0 && !/^Require/.test(clientAuth)) {
    problems.push(
      'tls_server_config.client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert',
    );
  }
  return allowedSans;
}

/**
 * readTlsSettings reads tls_server_config, pushing a problem for each bad key, and returns
 * settings when whole. `locate` makes a file name absolute (relative to the web config file).
 */
export function readTlsSettings(
  section: Record<string, unknown>,
  webConfigFile: string,
  locate: (file: string) => string,
  read: (path: string) => Result<string>,
  problems: string[],
): TlsSettings | undefined {
  const before = problems.length;
  const { cert, key, clientCa, origins } = readPems(section, locate, read, problems);
  const clientAuth = readClientAuth(section, clientCa, problems);
  const { minVersion, maxVersion } = readVersions(section, problems);
  const { ciphers, curves, honorCipherOrder } = readHandshake(section, problems);
  const allowedSans = readAllowedSans(section, clientAuth, problems);
  if (cert === undefined || key === undefined) return undefined;
  const sound = problems.length === before;
  const settings: TlsSettings = {
    cert,
    key,
    ...(clientCa !== undefined && { clientCa }),
    clientAuth,
    allowedSans,
    minVersion,
    maxVersion,
    ...(ciphers.length > 0 && { ciphers: ciphers.join(':') }),
    honorCipherOrder,
    ...(curves.length > 0 && { ecdhCurve: curves.join(':') }),
    files: {
      webConfig: webConfigFile,
      ...(origins.cert?.path !== undefined && { cert: origins.cert.path }),
      ...(origins.key?.path !== undefined && { key: origins.key.path }),
      ...(origins.clientCa?.path !== undefined && { clientCa: origins.clientCa.path }),
    },
  };
  // The PEMs are checked whatever else is wrong, so that every problem is named at once;
  // the versions, ciphers and curves go into the trial context only once they are sound.
  const unusable = tlsMaterialProblems(
    sound ? settings : { cert, key, ...(clientCa !== undefined && { clientCa }) },
    {
      cert: origins.cert!,
      key: origins.key!,
      ...(origins.clientCa && { clientCa: origins.clientCa }),
    },
  );
  problems.push(...unusable);
  return sound && unusable.length === 0 ? settings : undefined;
}
