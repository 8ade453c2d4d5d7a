import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { EntityManager } from 'typeorm';
import { canonicalSha256 } from '../common/canonical-json.js';
import { numericArrayLiteral, textArrayLiteral } from '../common/pg-array.js';
import type { NormalizedSnapshot } from './graph/secure-score-payload.parser.js';

const gzip = promisify(gzipCallback);

/** Anything that runs SQL and returns rows: a TypeORM EntityManager or QueryRunner. */
export type SqlRunner = Pick<EntityManager, 'query'>;

/** A validated snapshot with what storing it needs, computed off the database connection. */
export interface PreparedSnapshot {
  snapshot: NormalizedSnapshot;
  contentSha256: string;
  rawGzip: Buffer;
}

export type WriteOutcome =
  | {
      kind: 'stored' | 'duplicate';
      id: string;
      clientTenantId: string;
      snapshot: NormalizedSnapshot;
    }
  | { kind: 'conflict'; clientTenantId: string; existingId: string; snapshot: NormalizedSnapshot }
  | { kind: 'forbidden'; snapshot: NormalizedSnapshot };

/**
 * The content hash is the SHA-256 of the snapshot's RFC 8785 canonical JSON: key order,
 * whitespace and `9.0` versus `9` do not make a different snapshot. The raw object is kept
 * gzip-compressed (control descriptions make a snapshot 10 to 60 KB of text) at level 1: half
 * the CPU of the default level 6 on the ingest path, for an archive copy read only by audits.
 */
export async function prepareSnapshot(snapshot: NormalizedSnapshot): Promise<PreparedSnapshot> {
  return {
    snapshot,
    contentSha256: canonicalSha256(snapshot.raw),
    rawGzip: await gzip(JSON.stringify(snapshot.raw), { level: 1 }),
  };
}

export interface WriteContext {
  /** Set for partner keys: new client tenants are theirs, and others' are refused. */
  partnerId: string | null;
  receivedBy: string | null;
}

/**
 * Stores a batch of snapshots with one statement per step, never a round trip per row:
 * client tenants are upserted by Azure tenant id, snapshots inserted with ON CONFLICT on the
 * natural key (client tenant, createdDateTime), and what was already there is classified as a
 * duplicate (same content hash) or a conflict (different content). The caller owns the transaction.
 */
export async function writeSnapshots(
  runner: SqlRunner,
  batch: readonly PreparedSnapshot[],
  context: WriteContext,
): Promise<WriteOutcome[]> {
  const tenants = await upsertClientTenants(runner, batch, context.partnerId);
  const tenantOf = (item: PreparedSnapshot) => tenants.get(item.snapshot.azureTenantId)!;
  const keyOf = (item: PreparedSnapshot) => `${tenantOf(item).id}|${item.snapshot.createdDateTime}`;
  const allowed = (item: PreparedSnapshot) =>
    context.partnerId === null || tenantOf(item).partnerId === context.partnerId;
  // The first snapshot of each natural key is the one inserted; later ones compare against it.
  const firsts = new Map<string, PreparedSnapshot>();
  for (const item of batch)
    if (allowed(item) && !firsts.has(keyOf(item))) firsts.set(keyOf(item), item);
  const inserted = await insertSnapshots(runner, [...firsts.values()], tenants, context);
  const existing = await existingSnapshots(
    runner,
    [...firsts.values()].filter((item) => !inserted.has(keyOf(item))),
    tenants,
  );
  const stored = new Map(
    [...firsts].map(([key, item]) => {
      const id = inserted.get(key);
      return [
        key,
        id
          ? { id, sha: item.contentSha256, insertedFrom: item }
          : { ...existing.get(key)!, insertedFrom: null },
      ];
    }),
  );
  return batch.map((item): WriteOutcome => {
    if (!allowed(item)) return { kind: 'forbidden', snapshot: item.snapshot };
    const row = stored.get(keyOf(item))!;
    const clientTenantId = tenantOf(item).id;
    if (row.sha !== item.contentSha256) {
      return { kind: 'conflict', clientTenantId, existingId: row.id, snapshot: item.snapshot };
    }
    const kind = row.insertedFrom === item ? 'stored' : 'duplicate';
    return { kind, id: row.id, clientTenantId, snapshot: item.snapshot };
  });
}

interface TenantRow {
  id: string;
  partnerId: string | null;
}

async function upsertClientTenants(
  runner: SqlRunner,
  batch: readonly PreparedSnapshot[],
  partnerId: string | null,
): Promise<Map<string, TenantRow>> {
  const azureIds = [...new Set(batch.map((item) => item.snapshot.azureTenantId))];
  await runner.query(
    `INSERT INTO client_tenants (azure_tenant_id, partner_id)
     SELECT azure_id, $2::uuid FROM unnest($1::text[]) AS azure_id
     ON CONFLICT (azure_tenant_id) DO NOTHING`,
    [azureIds, partnerId],
  );
  const rows: { id: string; azure_tenant_id: string; partner_id: string | null }[] =
    await runner.query(
      `SELECT id, azure_tenant_id, partner_id FROM client_tenants WHERE azure_tenant_id = ANY($1::text[])`,
      [azureIds],
    );
  return new Map(
    rows.map((row) => [row.azure_tenant_id, { id: row.id, partnerId: row.partner_id }]),
  );
}

async function insertSnapshots(
  runner: SqlRunner,
  items: readonly PreparedSnapshot[],
  tenants: Map<string, TenantRow>,
  context: WriteContext,
): Promise<Map<string, string>> {
  if (items.length === 0) return new Map();
  const columns = snapshotColumns(items, tenants);
  const rows: { id: string; client_tenant_id: string; created_date_time: Date }[] =
    await runner.query(
      `INSERT INTO secure_score_snapshots (
       client_tenant_id, created_date_time, graph_id, source_shape, current_score, max_score,
       active_user_count, licensed_user_count, enabled_services, average_comparative_scores,
       control_names, control_categories, control_scores, control_score_percentages,
       control_max_scores, content_sha256, raw_gzip, received_by)
     SELECT t.client_tenant_id, t.created_date_time, t.graph_id, t.source_shape, t.current_score,
       t.max_score, t.active_user_count, t.licensed_user_count, t.enabled_services::text[],
       t.average_comparative_scores, t.control_names::text[], t.control_categories::text[],
       t.control_scores::numeric[], t.control_score_percentages::numeric[],
       t.control_max_scores::numeric[], t.content_sha256, t.raw_gzip, $18::uuid
     FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::numeric[], $6::numeric[],
       $7::integer[], $8::integer[], $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[],
       $14::text[], $15::text[], $16::text[], $17::bytea[])
       AS t(client_tenant_id, created_date_time, graph_id, source_shape, current_score, max_score,
            active_user_count, licensed_user_count, enabled_services, average_comparative_scores,
            control_names, control_categories, control_scores, control_score_percentages,
            control_max_scores, content_sha256, raw_gzip)
     ON CONFLICT (client_tenant_id, created_date_time) DO NOTHING
     RETURNING id, client_tenant_id, created_date_time`,
      [...columns, context.receivedBy],
    );
  return new Map(
    rows.map((row) => [`${row.client_tenant_id}|${row.created_date_time.toISOString()}`, row.id]),
  );
}

function snapshotColumns(
  items: readonly PreparedSnapshot[],
  tenants: Map<string, TenantRow>,
): unknown[][] {
  const column = <T>(pick: (item: PreparedSnapshot) => T) => items.map(pick);
  const controls = (pick: (c: NormalizedSnapshot['controlScores'][number]) => string | null) =>
    column((item) => item.snapshot.controlScores.map(pick));
  return [
    column((item) => tenants.get(item.snapshot.azureTenantId)!.id),
    column((item) => item.snapshot.createdDateTime),
    column((item) => item.snapshot.graphId),
    column((item) => item.snapshot.sourceShape),
    column((item) => item.snapshot.currentScore),
    column((item) => item.snapshot.maxScore),
    column((item) => item.snapshot.activeUserCount),
    column((item) => item.snapshot.licensedUserCount),
    column((item) => textArrayLiteral(item.snapshot.enabledServices)),
    column((item) => JSON.stringify(item.snapshot.averageComparativeScores)),
    controls((c) => c.controlName).map(textArrayLiteral),
    controls((c) => c.controlCategory).map(textArrayLiteral),
    controls((c) => c.score).map(numericArrayLiteral),
    controls((c) => c.scoreInPercentage).map(numericArrayLiteral),
    controls((c) => c.maxScore).map(numericArrayLiteral),
    column((item) => item.contentSha256),
    column((item) => item.rawGzip),
  ];
}

async function existingSnapshots(
  runner: SqlRunner,
  items: readonly PreparedSnapshot[],
  tenants: Map<string, TenantRow>,
): Promise<Map<string, { id: string; sha: string }>> {
  if (items.length === 0) return new Map();
  const rows: {
    id: string;
    client_tenant_id: string;
    created_date_time: Date;
    content_sha256: string;
  }[] = await runner.query(
    `SELECT s.id, s.client_tenant_id, s.created_date_time, s.content_sha256
       FROM secure_score_snapshots s
       JOIN unnest($1::uuid[], $2::timestamptz[]) AS k(client_tenant_id, created_date_time)
         ON s.client_tenant_id = k.client_tenant_id AND s.created_date_time = k.created_date_time`,
    [
      items.map((item) => tenants.get(item.snapshot.azureTenantId)!.id),
      items.map((item) => item.snapshot.createdDateTime),
    ],
  );
  return new Map(
    rows.map((row) => [
      `${row.client_tenant_id}|${row.created_date_time.toISOString()}`,
      { id: row.id, sha: row.content_sha256 },
    ]),
  );
}
