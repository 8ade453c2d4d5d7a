import type { FieldViolation } from '../common/errors/domain-error.js';
import { DomainError } from '../common/errors/domain-error.js';
import { TABLE_NAME_PATTERN, TABLE_VERSION_PATTERN } from '../common/identifiers.js';
import type { TableStatus, WeightingTableVersionEntity } from './weighting-table-version.entity.js';

/** A version as listed: everything but the document. */
export interface TableVersionSummary {
  name: string;
  version: string;
  status: TableStatus;
  sha256: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  /** The first day a later publication ended it (before its own `effectiveTo`), and that version. */
  supersededFrom: string | null;
  supersededBy: string | null;
}

export interface TableVersionView extends TableVersionSummary {
  document: Record<string, unknown>;
}

export interface TableNameView {
  name: string;
  versions: TableVersionSummary[];
}

export function toSummary(row: WeightingTableVersionEntity): TableVersionSummary {
  return {
    name: row.name,
    version: row.version,
    status: row.status,
    sha256: row.sha256,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    publishedBy: row.publishedBy,
    publishedAt: row.publishedAt?.toISOString() ?? null,
    supersededFrom: row.supersededFrom,
    supersededBy: row.supersededBy,
  };
}

export function toView(row: WeightingTableVersionEntity): TableVersionView {
  return { ...toSummary(row), document: row.document };
}

/** What an audit row says about a version besides its hashes. */
export function auditDetails(row: {
  name: string;
  version: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}): Record<string, unknown> {
  return {
    name: row.name,
    version: row.version,
    effectiveFrom: row.effectiveFrom,
    effectiveTo: row.effectiveTo,
  };
}

/** The version in a URL: a name or version no document may carry is simply not found. */
export function assertAddressable(name: string, version?: string): void {
  if (
    !TABLE_NAME_PATTERN.test(name) ||
    (version !== undefined && !TABLE_VERSION_PATTERN.test(version))
  ) {
    throw DomainError.notFound(
      `Weighting table ${name}${version === undefined ? '' : ` version ${version}`}`,
    );
  }
}

/** A replacement names the version it replaces: moving a document to another address is not an edit. */
export function addressViolations(
  document: Record<string, unknown>,
  name: string,
  version: string,
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (document.name !== name) {
    violations.push({ pointer: '/name', message: `name must be "${name}", as in the URL` });
  }
  if (document.version !== version) {
    violations.push({
      pointer: '/version',
      message: `version must be "${version}", as in the URL`,
    });
  }
  return violations;
}

/** RFC 7396 JSON Merge Patch: objects merge member by member, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The UTC calendar day of an instant, `YYYY-MM-DD`: the day a table version must be in force on. */
export function utcDay(instant: Date): string {
  const year = instant.getUTCFullYear();
  if (Number.isNaN(instant.getTime()) || year < 1 || year > 9999) {
    throw DomainError.validation([
      { pointer: '/asOf', message: 'asOf must be an instant between the years 1 and 9999' },
    ]);
  }
  return instant.toISOString().slice(0, 10);
}
