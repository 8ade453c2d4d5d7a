import { normalAzureTenantId } from '../../client-tenants/azure-tenant-id.js';
import type { SnapshotFields } from './secure-score.schema.js';
import type { NormalizedControlScore, NormalizedSnapshot } from './secure-score.types.js';

/**
 * Maps a snapshot that passed validation (schema and checks) to the one normalised form. It reads
 * defensively anyway (a wrong type becomes null), so it cannot throw on what it is given.
 */
export function toNormalizedSnapshot(
  raw: Record<string, unknown>,
  fields: SnapshotFields,
  createdDateTime: string,
  pointer: string,
): NormalizedSnapshot {
  const controls = Array.isArray(raw.controlScores) ? (raw.controlScores as unknown[]) : [];
  return {
    sourceShape: fields.shape,
    graphId: textOrNull(raw.id),
    azureTenantId: normalAzureTenantId(textOrNull(raw[fields.tenantId]) ?? ''),
    createdDateTime,
    activeUserCount: numberOrNull(raw.activeUserCount),
    licensedUserCount: numberOrNull(raw.licensedUserCount),
    currentScore: decimalText(raw[fields.currentScore]),
    maxScore: decimalText(raw[fields.maxScore]),
    enabledServices: Array.isArray(raw.enabledServices)
      ? raw.enabledServices.filter((s): s is string => typeof s === 'string')
      : [],
    averageComparativeScores: fields.comparative
      ? comparativeScores(raw[fields.comparative.list], fields.comparative.basis)
      : [],
    controlScores: controls.map((item) => controlScore(asRecord(item), fields)),
    raw,
    pointer,
  };
}

/**
 * JSON numbers as decimal text. `String(n)` is the shortest text that reads back as the same
 * double, and the hardened JSON parser only lets through numbers whose written decimal survives
 * that round trip, so it is the decimal the sender wrote (`9.0` -> "9"; `String(-0)` is "0").
 */
export function decimalText(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

function controlScore(
  item: Record<string, unknown>,
  fields: SnapshotFields,
): NormalizedControlScore {
  return {
    controlName: textOrNull(item[fields.controlName]) ?? '',
    controlCategory: textOrNull(item.controlCategory),
    score: decimalText(item.score),
    scoreInPercentage: decimalText(item.scoreInPercentage),
    maxScore: decimalText(item.maxScore),
    description: textOrNull(item.description),
  };
}

// The 2018 beta said `scope` and used -1 for "no average" (IndustryTypes); both become the
// v1.0 form. Everything else (per-category averages, the string-typed SeatSizeRange*Value,
// DeviceScore, ...) stays exactly as received.
function comparativeScores(list: unknown, basisKey: string): unknown[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry) => {
    const { [basisKey]: basis, averageScore, ...rest } = asRecord(entry);
    return {
      ...rest,
      basis: textOrNull(basis),
      averageScore: averageScore === -1 ? null : decimalText(averageScore),
    };
  });
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
