import fs from 'node:fs';
import path from 'node:path';

/** The shared real payloads: `../shared` beside the repository, in sessions and in CI alike. */
export const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/securescore');
export const EXAMPLES = path.resolve(process.cwd(), '../shared/examples');

export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function fixture<T = any>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

export function exampleTable(): any {
  return JSON.parse(
    fs.readFileSync(path.join(EXAMPLES, 'weighting-table.sme-cyber-2027.1.json'), 'utf8'),
  );
}

/** A real snapshot under another client tenant and date, for tests that need many distinct ones. */
export function snapshotFor(
  azureTenantId: string,
  day = '2024-01-01',
  base = 'heimdall2.secureScore.json',
): any {
  const snapshot = structuredClone(fixture(base).value[0]);
  snapshot.azureTenantId = azureTenantId;
  snapshot.id = `${azureTenantId}_${day}`;
  snapshot.createdDateTime = `${day}T00:00:00Z`;
  return snapshot;
}
