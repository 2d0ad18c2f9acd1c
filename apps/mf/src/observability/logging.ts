import { Params } from 'nestjs-pino';

/**
 * Paths pino replaces with "[redacted]" wherever they appear in a log object: key material,
 * tickets, credentials and SIP bodies must never reach a log line (ARCHITECTURE.md §8).
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.key',
  '*.keys',
  '*.salt',
  '*.masterKey',
  '*.masterSalt',
  '*.tgk',
  '*.tek',
  '*.ticket',
  '*.mikey',
  '*.sipMessage',
  '*.token',
  'password',
  'key',
  'keys',
  'salt',
  'ticket',
  'mikey',
  'token',
];

/** Structured JSON logs (pino) at the configured level, with the redaction list. */
export function loggerParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}
