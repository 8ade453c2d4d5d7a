import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

const SRC = import.meta.dirname;

/** The source files `from` imports at run time, transitively (type-only imports are erased). */
function runtimeImports(from: string, seen = new Set<string>()): Set<string> {
  if (seen.has(from)) return seen;
  seen.add(from);
  const text = fs.readFileSync(from, 'utf8');
  for (const [, clause, specifier] of text.matchAll(/^import\s+([^;]*?)\s*from\s+'([^']+)';/gms)) {
    if (clause.startsWith('type ') || !specifier.startsWith('.')) continue;
    const target = path.resolve(path.dirname(from), specifier.replace(/\.js$/, '.ts'));
    runtimeImports(target, seen);
  }
  return seen;
}

describe.each([
  ['the CLI', 'cli.ts'],
  ['a --role worker process', 'worker.factory.ts'],
])('%s', (_, entry) => {
  it('loads the service modules without the HTTP layer', () => {
    const files = [...runtimeImports(path.join(SRC, entry))];
    const relative = files.map((file) => path.relative(SRC, file));
    // Sanity: the walk reaches the feature modules.
    expect(relative).toEqual(
      expect.arrayContaining([
        'secure-scores/secure-scores.module.ts',
        'portfolio-runs/portfolio-runs.module.ts',
      ]),
    );
    // Controllers and DTOs pull in @nestjs/swagger (and es-toolkit's 428 modules), Fastify
    // with them: 15 MB of the importer's RSS and half a second of every command's start.
    expect(relative.filter((file) => /\.controller\.ts$|\/dto\/|app\.factory/.test(file))).toEqual(
      [],
    );
    const http = files.filter((file) =>
      /^import (?!type )[^;]*from '(@nestjs\/swagger|@nestjs\/platform-fastify|fastify)'/m.test(
        fs.readFileSync(file, 'utf8'),
      ),
    );
    expect(http.map((file) => path.relative(SRC, file))).toEqual([]);
  });
});
