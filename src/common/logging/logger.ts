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

// A query member whose name (once percent-decoded) says its value may be a credential.
const SECRET_NAME = /key|token|secret|password|signature|auth|bearer/i;
// This service's API keys by their shape (`ssk_<8 hex>_<secret>`, see api-key-secret.ts),
// wherever they stand and however `_` is percent-encoded: the public prefix is kept for support.
const KEY_SHAPED = /(ssk(?:_|%5f)[0-9a-f]{8}(?:_|%5f))[\w%-]+/gi;

// Secrets of no shape of ours (an operator's BOOTSTRAP_API_KEY), each as a pattern that also
// matches it percent-encoded, character by character and in either hex case, as URLs carry it.
const literalSecrets = new Map<string, RegExp>();

/** From now on, `secret` (visible ASCII) is redacted wherever redactKeys and redactUrl look. */
export function redactLiterally(secret: string): void {
  if (literalSecrets.has(secret)) return;
  const characters = [...secret].map((c) => {
    const escape = c.charCodeAt(0).toString(16).padStart(2, '0');
    return `(?:${c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')}|%${escape})`;
  });
  // Case-blind: a variant differing in case only is redacted too, which costs nothing.
  literalSecrets.set(secret, new RegExp(characters.join(''), 'gi'));
}

/**
 * Text that may be logged or echoed with every API key in it redacted: ours found by their
 * shape, the bootstrap key by its text.
 */
export function redactKeys(text: string): string {
  let redacted = text.replace(KEY_SHAPED, '$1[redacted]');
  for (const pattern of literalSecrets.values()) redacted = redacted.replace(pattern, '[redacted]');
  return redacted;
}

/**
 * A URL as it may be logged: every API key redacted wherever it is (path, query name or value),
 * and the value of every credential-like query member (`?api_key=`, `?access_token=`), which
 * catches secrets of any shape, such as an operator's bootstrap key.
 */
export function redactUrl(url: string): string {
  const redacted = redactKeys(url);
  const query = redacted.indexOf('?');
  if (query < 0) return redacted;
  const members = redacted
    .slice(query + 1)
    .split('&')
    .map((member) => {
      const equals = member.indexOf('=');
      if (equals < 0) return member;
      return SECRET_NAME.test(decodedName(member.slice(0, equals)))
        ? `${member.slice(0, equals)}=[redacted]`
        : member;
    });
  return `${redacted.slice(0, query)}?${members.join('&')}`;
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
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
