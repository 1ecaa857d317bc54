import pino, { type Logger } from 'pino';
import { logfmtStream } from './logfmt';
import { UpstreamError } from '../tensorpix/upstream-error';

export type { Logger };
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'logfmt'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** destination is standard error in main, as Prometheus exporters log; a buffer in tests. */
  destination: NodeJS.WritableStream;
}

// A token never belongs in a log line; these paths catch it should one slip into a field.
const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * serializeError keeps only what is safe to log. pino's default serializer copies every
 * property of an error, and undici errors can carry request headers.
 */
export function serializeError(error: unknown): Record<string, unknown> {
  if (error instanceof UpstreamError) return error.fields();
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { type: error.name, message: error.message, ...(typeof code === 'string' && { code }) };
  }
  return { type: typeof error };
}

export function createLogger(options: LoggerOptions): Logger {
  const { destination } = options;
  const stream = options.format === 'logfmt' ? logfmtStream(destination) : destination;
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    },
    stream,
  );
}
