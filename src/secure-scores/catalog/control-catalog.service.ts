import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../access/roles.js';
import { AuditService } from '../../audit/audit.service.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { textArrayLiteral } from '../../common/pg-array.js';
import {
  NormalizedControlProfile,
  parseControlProfilesPayload,
} from '../graph/control-profile.parser.js';
import { graphListKind, wrongListIssue } from '../graph/graph-list-kind.js';
import { type ControlCatalog, withInstanceAliases } from './control-warnings.js';

// The catalog changes rarely (a profile push); a short cache keeps it off every rating's path.
const CATALOG_CACHE_MS = 5_000;

export interface ControlProfilesResult {
  profiles: number;
  /** False for a partner key's push: kept in the history, not applied to the shared catalog. */
  catalogUpdated: boolean;
  controlStates: number;
  clientTenants: number;
}

@Injectable()
export class ControlCatalogService {
  private cache: { at: number; catalog: ControlCatalog } | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** control name -> the latest known maxScore, as decimal text. */
  async maxScores(): Promise<ReadonlyMap<string, string>> {
    return (await this.catalog()).maxScores;
  }

  /** The names the catalog knows, deprecated ones and the latest maxScores. */
  async catalog(): Promise<ControlCatalog> {
    if (this.cache && Date.now() - this.cache.at < CATALOG_CACHE_MS) return this.cache.catalog;
    const rows: { control_name: string; max_score: string | null; deprecated: boolean }[] =
      await this.dataSource.query(
        'SELECT control_name, max_score::text AS max_score, deprecated FROM control_profiles ORDER BY control_name',
      );
    // An instance's profile (`11770.MDA_…`) also stands for the control named without it.
    const byName = withInstanceAliases(rows.map((row) => [row.control_name, row]));
    const maxScores = new Map<string, string>();
    for (const [name, row] of byName)
      if (row.max_score !== null) maxScores.set(name, row.max_score);
    const catalog: ControlCatalog = {
      maxScores,
      known: new Set(byName.keys()),
      deprecated: new Set([...byName].filter(([, row]) => row.deprecated).map(([name]) => name)),
    };
    this.cache = { at: Date.now(), catalog };
    return catalog;
  }

  /**
   * Profiles update the catalog (latest received wins, every version kept in the history); a
   * profile that names its client tenant also records that client tenant's control state.
   * The catalog is shared by every partner's ratings (a control without a percentage of its own
   * is rated against the catalog maxScore), so only insurer keys move it: a partner's profiles
   * are kept in the history under the partner's name, and its client tenants' states recorded.
   * One transaction, one statement per step, one audit row.
   */
  async ingestProfiles(principal: Principal, body: unknown): Promise<ControlProfilesResult> {
    // Checked first: a snapshot has an `id` and little else a profile needs, so a page of
    // Secure Scores would pass as profiles, each snapshot a bogus control in the shared catalog.
    if (graphListKind(body) === 'secure-scores') {
      throw DomainError.validation(
        [wrongListIssue('secure-scores')],
        'The body is Secure Score data, not control profiles',
      );
    }
    const parsed = parseControlProfilesPayload(body);
    if (!parsed.ok) {
      throw parsed.sourceError
        ? DomainError.sourceError(parsed.errors, 'control profiles')
        : DomainError.validation(parsed.errors, 'The control profiles are invalid');
    }
    // In one order, by control then client tenant, for every statement below: two pushes of
    // the same controls in opposite orders deadlocked. Stable, so of one control's repeats the
    // last still wins.
    const profiles = parsed.profiles.sort(
      (a, b) => compare(a.id, b.id) || compare(a.azureTenantId ?? '', b.azureTenantId ?? ''),
    );
    const catalogUpdated = principal.role !== 'partner';
    const source = catalogUpdated ? 'ingested' : `partner:${principal.partnerId}`;
    const result = await this.dataSource.transaction(async (manager) => {
      if (catalogUpdated) await upsertCatalog(manager, profiles);
      await recordHistory(manager, profiles, source);
      const states = await this.recordStates(manager, principal, profiles);
      const outcome = { profiles: profiles.length, catalogUpdated, ...states };
      await this.audit.record(manager, principal, {
        action: 'control-profiles.ingested',
        entityType: 'control-catalog',
        entityId: 'control-profiles',
        details: { ...outcome, controls: profiles.slice(0, 100).map((p) => p.id) },
      });
      return outcome;
    });
    if (catalogUpdated) this.cache = null;
    return result;
  }

  private async recordStates(
    manager: EntityManager,
    principal: Principal,
    profiles: NormalizedControlProfile[],
  ): Promise<{ controlStates: number; clientTenants: number }> {
    const withState = profiles.filter((p) => p.azureTenantId !== null && p.latestState !== null);
    if (withState.length === 0) return { controlStates: 0, clientTenants: 0 };
    const partnerId = principal.role === 'partner' ? principal.partnerId : null;
    const azureIds = [...new Set(withState.map((p) => p.azureTenantId!))].sort();
    await manager.query(
      `INSERT INTO client_tenants (azure_tenant_id, partner_id)
       SELECT a, $2::uuid FROM unnest($1::text[]) AS a ON CONFLICT (azure_tenant_id) DO NOTHING`,
      [azureIds, partnerId],
    );
    const tenants: { id: string; azure_tenant_id: string; partner_id: string | null }[] =
      await manager.query(
        'SELECT id, azure_tenant_id, partner_id FROM client_tenants WHERE azure_tenant_id = ANY($1::text[])',
        [azureIds],
      );
    const foreign = tenants.find((t) => partnerId !== null && t.partner_id !== partnerId);
    if (foreign) {
      throw new DomainError(
        'forbidden',
        `The client tenant ${foreign.azure_tenant_id} is not one of this partner's client tenants`,
      );
    }
    const idOf = new Map(tenants.map((t) => [t.azure_tenant_id, t.id]));
    await manager.query(
      // A state Graph did not date (the untouched `Default`, a 2018 `tenantSetState`) is in
      // force from when it is recorded, and recorded only when it changes the state in force
      // (none in force reads as `Default`). It used to count from the epoch, each push
      // overwriting the last: one push rewrote the state of every assessment back to 1970.
      `INSERT INTO client_tenant_control_states (client_tenant_id, control_name, effective_at, state, updated_by)
       SELECT u.client_tenant_id, u.control_name, COALESCE(u.effective_at, now()), u.state,
         u.updated_by
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])
         AS u(client_tenant_id, control_name, effective_at, state, updated_by)
       WHERE u.effective_at IS NOT NULL
          OR COALESCE(
               (SELECT s.state FROM client_tenant_control_states s
                 WHERE s.client_tenant_id = u.client_tenant_id AND s.control_name = u.control_name
                   AND s.effective_at <= now()
                 ORDER BY s.effective_at DESC LIMIT 1),
               'Default') IS DISTINCT FROM u.state
       ON CONFLICT (client_tenant_id, control_name, effective_at)
       DO UPDATE SET state = EXCLUDED.state, updated_by = EXCLUDED.updated_by, recorded_at = now()`,
      [
        withState.map((p) => idOf.get(p.azureTenantId!)),
        withState.map((p) => p.id),
        withState.map((p) => p.latestState!.updatedDateTime),
        withState.map((p) => p.latestState!.state),
        withState.map((p) => p.latestState!.updatedBy),
      ],
    );
    return { controlStates: withState.length, clientTenants: azureIds.length };
  }
}

async function upsertCatalog(
  manager: EntityManager,
  profiles: NormalizedControlProfile[],
): Promise<void> {
  const current = profiles.filter((p) => !p.legacy2018);
  const archived = profiles.filter((p) => p.legacy2018);
  if (current.length > 0) await upsertProfiles(manager, current, 'latest');
  if (archived.length > 0) await upsertProfiles(manager, archived, 'gaps');
}

const CATALOG_FIELDS = [
  'title',
  'control_category',
  'service',
  'tier',
  'rank',
  'max_score',
  'action_type',
  'user_impact',
  'implementation_cost',
  'threats',
  'deprecated',
];

/**
 * Writes profiles into the catalog, field by field. A current-shape profile gives each field's
 * latest value (`latest`); one without a field (a $select, a trimmed capture) does not erase what
 * an earlier one said. A 2018 beta profile (an archive: profiles carry no date) only fills what
 * the catalog does not know yet (`gaps`): pushed after current ones, it would put back titles,
 * categories and maxima Microsoft has since changed.
 */
async function upsertProfiles(
  manager: EntityManager,
  profiles: NormalizedControlProfile[],
  wins: 'latest' | 'gaps',
): Promise<void> {
  const unique = [...new Map(profiles.map((p) => [p.id, p])).values()];
  const column = <T>(pick: (p: NormalizedControlProfile) => T) => unique.map(pick);
  // The column holds '{}' for no threats: an empty list reads as unknown, like an absent one.
  const known = (row: string, field: string) =>
    field === 'threats' ? `NULLIF(${row}.threats, '{}')` : `${row}.${field}`;
  const set = CATALOG_FIELDS.map((field) => {
    const [first, then] =
      wins === 'latest' ? ['EXCLUDED', 'control_profiles'] : ['control_profiles', 'EXCLUDED'];
    return `${field} = COALESCE(${known(first, field)}, ${then}.${field})`;
  });
  await manager.query(
    `INSERT INTO control_profiles (control_name, title, control_category, service, tier, max_score,
       rank, action_type, user_impact, implementation_cost, threats, deprecated, source, updated_at)
     SELECT t.control_name, t.title, t.control_category, t.service, t.tier, t.max_score, t.rank,
       t.action_type, t.user_impact, t.implementation_cost, COALESCE(t.threats::text[], '{}'), t.deprecated,
       'ingested', now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[],
       $7::integer[], $8::text[], $9::text[], $10::text[], $11::text[], $12::boolean[])
       AS t(control_name, title, control_category, service, tier, max_score, rank, action_type,
            user_impact, implementation_cost, threats, deprecated)
     ON CONFLICT (control_name) DO UPDATE SET ${set.join(', ')},
       source = 'ingested', updated_at = now()`,
    [
      column((p) => p.id),
      column((p) => p.title),
      column((p) => p.controlCategory),
      column((p) => p.service),
      column((p) => p.tier),
      column((p) => p.maxScore),
      column((p) => p.rank),
      column((p) => p.actionType),
      column((p) => p.userImpact),
      column((p) => p.implementationCost),
      column((p) => (p.threats === null ? null : textArrayLiteral(p.threats))),
      column((p) => p.deprecated),
    ],
  );
}

async function recordHistory(
  manager: EntityManager,
  profiles: NormalizedControlProfile[],
  source: string,
): Promise<void> {
  await manager.query(
    // The normalised id, not the raw `id`: a 2018 beta profile names its control in `title`.
    // One jsonb document, not a jsonb[] parameter (pg would escape every profile into a literal).
    `INSERT INTO control_profile_history (control_name, source, profile)
     SELECT e->>'controlName', $2, e->'profile' FROM jsonb_array_elements($1::jsonb) AS e`,
    // Every profile: one control's for several client tenants are as many (the parser has kept
    // one of each repeat already).
    [JSON.stringify(profiles.map((p) => ({ controlName: p.id, profile: p.raw }))), source],
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
