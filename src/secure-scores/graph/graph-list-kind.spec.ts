import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseJsonStrict } from '../../common/json/hardened-json.parser.js';
import { graphListKind } from './graph-list-kind.js';

const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/securescore');
const load = (name: string): unknown =>
  parseJsonStrict(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));

describe('graphListKind', () => {
  it.each([
    ['heimdall2.secureScore.json', 'secure-scores'],
    ['heimdall2.secureScore-multiple.json', 'secure-scores'],
    ['graph2otel.liveScores.json', 'secure-scores'],
    ['graph-docs-v1.0.list-securescores.json', 'secure-scores'],
    ['graph-docs-2018-beta.list-securescores.json', 'secure-scores'],
    ['o365-report-2017.getTenantSecureScores.json', 'secure-scores'],
    ['heimdall2.profiles.page1.json', 'control-profiles'],
    ['graph2otel.liveProfiles.json', 'control-profiles'],
    ['graph-docs-2018-beta.list-securescorecontrolprofiles.json', 'control-profiles'],
    // Bare arrays, no context: told by their items.
    ['catalog.json', 'control-profiles'],
    ['catalog-with-provenance.json', 'control-profiles'],
  ])('tells %s is %s', (name, kind) => {
    expect(graphListKind(load(name))).toBe(kind);
  });

  it("believes Graph's context over the items", () => {
    const context =
      'https://graph.microsoft.com/v1.0/$metadata#security/secureScoreControlProfiles';
    expect(graphListKind({ '@odata.context': context, value: [] })).toBe('control-profiles');
    expect(
      graphListKind({
        '@odata.context': 'https://graph.microsoft.com/beta/$metadata#Security/secureScores',
        value: [{ title: 'x' }],
      }),
    ).toBe('secure-scores');
  });

  it('tells a single snapshot, and a page of profiles without a context, by their members', () => {
    expect(graphListKind({ azureTenantId: 'a', controlScores: [] })).toBe('secure-scores');
    expect(graphListKind({ value: [{ id: 'a', title: 'A' }] })).toBe('control-profiles');
    expect(graphListKind([{ id: 'a', tenantSetState: 'Default' }])).toBe('control-profiles');
    expect(graphListKind([{ id: 'a', controlStateUpdates: [] }])).toBe('control-profiles');
  });

  it.each([
    ['an empty list', []],
    ['a list mixing both', [{ controlScores: [] }, { title: 'A' }]],
    ['items that are not objects', [1, 2]],
    ['objects of neither kind', [{ id: 'a' }]],
    ['a profile object outside a list', { id: 'a', title: 'A' }],
    ['another context', { '@odata.context': 'https://x/$metadata#users', value: 3 }],
    ['a scalar', 'secureScores'],
    ['null', null],
  ])('tells nothing of %s', (_, body) => {
    expect(graphListKind(body)).toBeNull();
  });
});
