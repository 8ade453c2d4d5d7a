import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../../config/app-config.js';

/** JSON lines on stdout; credentials are redacted wherever they could appear. */
export function createRootLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'securescore-underwriting' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'key',
        '*.key',
        'password',
        'databaseUrl',
        'bootstrapApiKey',
      ],
      censor: '[redacted]',
    },
  });
}

// Query parameters whose value may be a credential: replaced in every URL the service logs.
const SECRET_QUERY_VALUE =
  /([?&][^=&#]*(?:key|token|secret|password|signature|auth)[^=&#]*=)[^&#]*/gi;

/** A URL as it may be logged: the value of every credential-like query parameter redacted. */
export function redactQuery(url: string): string {
  return url.includes('?') ? url.replace(SECRET_QUERY_VALUE, '$1[redacted]') : url;
}

/** Routes Nest's `Logger` calls into pino, keeping structured fields (`{clientTenantId, runId}`). */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ) {
    // Nest passes the context (class name) last; a structured first argument carries the fields.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    if (typeof message === 'object' && message !== null) {
      const text = typeof rest[0] === 'string' ? rest[0] : undefined;
      this.root[level]({ context, ...message }, text);
    } else {
      this.root[level]({ context }, String(message));
    }
  }
}
