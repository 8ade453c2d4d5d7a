import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error.js';
import { WeightingTableVersionEntity } from './weighting-table-version.entity.js';

// The lifecycle rules of a version that need the database: a draft locked for a change, the
// overlap of published intervals (the exclusion constraint's rule, checked first to name the
// version in the way), and a published version superseded by a new one.

/** The draft, locked for the transaction; 404 when absent, 409 when published. */
export async function lockDraft(
  manager: EntityManager,
  name: string,
  version: string,
): Promise<WeightingTableVersionEntity> {
  const row = await manager.findOne(WeightingTableVersionEntity, {
    where: { name, version },
    lock: { mode: 'pessimistic_write' },
  });
  if (!row) throw DomainError.notFound(`Weighting table ${name} version ${version}`);
  if (row.status === 'published') throw immutable(name, version);
  return row;
}

export function immutable(name: string, version: string): DomainError {
  return new DomainError(
    'table-immutable',
    `Weighting table ${name} version ${version} is published: it cannot change or be deleted; publish a new version instead`,
  );
}

/**
 * 409 naming the published version whose interval in force overlaps this one's. When that one
 * began before this one, the answer says how to supersede it.
 */
export async function assertNoOverlap(
  manager: EntityManager,
  row: WeightingTableVersionEntity,
): Promise<void> {
  const [overlap]: { version: string; effective_from: string; in_force_to: string | null }[] =
    await manager.query(
      `SELECT version, effective_from::text,
         COALESCE(superseded_from, effective_to)::text AS in_force_to
       FROM weighting_table_versions
       WHERE name = $1 AND status = 'published'
         AND daterange(effective_from, COALESCE(superseded_from, effective_to), '[)')
           && daterange($2::date, $3::date, '[)')
       ORDER BY effective_from LIMIT 1`,
      [row.name, row.effectiveFrom, row.effectiveTo],
    );
  if (!overlap) return;
  const until = overlap.in_force_to ?? 'open-ended';
  const hint =
    overlap.effective_from < row.effectiveFrom
      ? `; to end ${overlap.version} where ${row.version} begins, publish with {"supersedes": "${overlap.version}"}`
      : '; published versions of one table may not overlap';
  throw new DomainError(
    'table-overlap',
    `The interval [${row.effectiveFrom}, ${row.effectiveTo ?? 'open-ended'}) overlaps published version ` +
      `${overlap.version}, in force [${overlap.effective_from}, ${until})${hint}`,
    [],
    {
      overlapping: {
        version: overlap.version,
        effectiveFrom: overlap.effective_from,
        effectiveTo: overlap.in_force_to,
      },
    },
  );
}

/**
 * Ends the published version `supersededVersion` of `row`'s table on the day `row` begins
 * (rating-spec §1: a version is "superseded by a new version"), in the transaction that
 * publishes `row`, which then must not overlap it. Only from a day not yet begun (UTC): which
 * version was in force on any day up to today never changes, so a rating or a cache of today's
 * version stays right.
 */
export async function supersede(
  manager: EntityManager,
  row: WeightingTableVersionEntity,
  supersededVersion: string,
): Promise<WeightingTableVersionEntity> {
  const refuse = (message: string) =>
    DomainError.validation([{ pointer: '/supersedes', message }], 'The supersession is invalid');
  if (supersededVersion === row.version) throw refuse('A version cannot supersede itself');
  const old = await manager.findOne(WeightingTableVersionEntity, {
    where: { name: row.name, version: supersededVersion },
    lock: { mode: 'pessimistic_write' },
  });
  if (!old || old.status !== 'published') {
    throw refuse(`Weighting table ${row.name} has no published version ${supersededVersion}`);
  }
  const from = row.effectiveFrom;
  const today = new Date().toISOString().slice(0, 10);
  if (from <= today) {
    throw refuse(
      `${row.version} begins on ${from}, a day already begun (UTC): a published version is superseded from tomorrow at the earliest`,
    );
  }
  const end = old.supersededFrom ?? old.effectiveTo;
  if (!(old.effectiveFrom < from && (end === null || from < end))) {
    throw refuse(
      `${supersededVersion} is in force [${old.effectiveFrom}, ${end ?? 'open-ended'}): ${row.version}, from ${from}, does not begin inside it`,
    );
  }
  await manager.update(
    WeightingTableVersionEntity,
    { name: row.name, version: supersededVersion },
    { supersededFrom: from, supersededBy: row.version },
  );
  return old;
}
