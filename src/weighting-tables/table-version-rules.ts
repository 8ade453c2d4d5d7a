import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error.js';
import { WeightingTableVersionEntity } from './weighting-table-version.entity.js';

// The lifecycle rules of a version that need the database: a draft locked for a change, and
// the overlap of published intervals (the exclusion constraint's rule, checked first to name the
// version in the way).

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

/** 409 naming the published version whose interval overlaps this one's. */
export async function assertNoOverlap(
  manager: EntityManager,
  row: WeightingTableVersionEntity,
): Promise<void> {
  const [overlap]: { version: string; effective_from: string; effective_to: string | null }[] =
    await manager.query(
      `SELECT version, effective_from::text, effective_to::text FROM weighting_table_versions
       WHERE name = $1 AND status = 'published'
         AND daterange(effective_from, effective_to, '[)') && daterange($2::date, $3::date, '[)')
       ORDER BY effective_from LIMIT 1`,
      [row.name, row.effectiveFrom, row.effectiveTo],
    );
  if (!overlap) return;
  const until = overlap.effective_to ?? 'open-ended';
  throw new DomainError(
    'table-overlap',
    `The interval [${row.effectiveFrom}, ${row.effectiveTo ?? 'open-ended'}) overlaps published version ` +
      `${overlap.version} [${overlap.effective_from}, ${until}); published versions of one table may not overlap`,
    [],
    {
      overlapping: {
        version: overlap.version,
        effectiveFrom: overlap.effective_from,
        effectiveTo: overlap.effective_to,
      },
    },
  );
}
