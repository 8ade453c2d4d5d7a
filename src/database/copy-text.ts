import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';

const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** One row of COPY's text format: backslash, tab, newline and carriage return escaped; null is `\N`. */
export function copyTextRow(fields: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (i > 0) line += '\t';
    line += field === null ? '\\N' : field.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]);
  }
  return `${line}\n`;
}

/**
 * Runs `COPY ... FROM STDIN` with `rows` (copyTextRow lines) on the connection of `manager`,
 * which must be a transaction's: the rows commit or roll back with the rest of it.
 */
export async function copyInto(
  manager: EntityManager,
  statement: string,
  rows: readonly string[],
): Promise<void> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('copyInto needs a transaction');
  const client = (await runner.connect()) as PoolClient;
  await pipeline(Readable.from([rows.join('')]), client.query(copyFrom(statement)));
}
