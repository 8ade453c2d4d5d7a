import type { ObjectLiteral } from 'typeorm';
import { canonicalSha256 } from '../common/canonical-json.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { WeightingTable } from '../rating/rating.types.js';
import { validateWeightingTable } from '../rating/weighting-table.validation.js';

export interface CheckedDocument {
  /** As received: stored as is, so what was filed is what is shown. */
  document: ObjectLiteral;
  table: WeightingTable;
  /** SHA-256 of the document's RFC 8785 canonical JSON: the hash every rating records. */
  sha256: string;
}

/** Validates a document; every violation is listed, under `prefix` (e.g. `/table` in a rating request). */
export function checkDocument(body: unknown, prefix = ''): CheckedDocument {
  const result = validateWeightingTable(body);
  if (!result.ok) {
    throw DomainError.validation(
      result.errors.map((e) => ({ pointer: prefix + e.pointer, message: e.message })),
      'The weighting table is invalid',
    );
  }
  const document = body as ObjectLiteral;
  return { document, table: result.table, sha256: canonicalSha256(document) };
}
