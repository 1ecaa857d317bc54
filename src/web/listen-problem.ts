import { formatListenAddress, type ListenAddress } from '../config/listen-address';

/** REASONS words the errors of listen() an operator can act on, by their code. */
const REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed for now',
};

/**
 * listenProblem is the one line that says why the server cannot listen on `listen`: the
 * reason in our words for the errors people meet (a port taken, a low port without the
 * right to it, an address of another machine), else the error's code, and what to do.
 */
export function listenProblem(error: unknown, listen: ListenAddress): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const reason =
    typeof code === 'string'
      ? (REASONS[code] ?? code)
      : error instanceof Error
        ? error.message
        : 'unknown error';
  const lowPort =
    code === 'EACCES' && listen.port > 0 && listen.port < 1024
      ? 'ports below 1024 need root or CAP_NET_BIND_SERVICE; '
      : '';
  return `cannot listen on ${formatListenAddress(listen)}: ${reason} (${lowPort}choose another with --web.listen-address)`;
}
