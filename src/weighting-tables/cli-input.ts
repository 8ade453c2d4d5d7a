import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../common/errors/domain-error.js';
import { TABLE_NAME_PATTERN, TABLE_VERSION_PATTERN } from '../common/identifiers.js';
import { JsonInputError, parseJsonStrict } from '../common/json/hardened-json.parser.js';
import {
  parseWeightingTableYaml,
  WeightingTableYamlError,
} from '../rating/weighting-table.yaml.js';
import { describeYamlError } from './yaml-body.js';

// Files on the operator's disk are trusted more than request bodies, but not unlimited.
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_DEPTH = 64;

/** A JSON file, or YAML by its extension (.yaml, .yml), parsed as strictly as a request body. */
export function readDocumentFile(file: string): unknown {
  const size = fs.statSync(file).size;
  if (size > MAX_FILE_BYTES) throw new Error(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
  const bytes = fs.readFileSync(file);
  // Refused, not decoded with U+FFFD: a published table is immutable, and a silently altered
  // name or description would be published as if the actuary had written it.
  if (!isUtf8(bytes)) throw new Error(`${file}: not UTF-8 text`);
  // A byte order mark, which some editors write, is not part of the document (RFC 8259 §8.1).
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (/\.ya?ml$/i.test(path.extname(file))) {
    try {
      return parseWeightingTableYaml(text);
    } catch (error) {
      if (!(error instanceof WeightingTableYamlError)) throw error;
      throw new Error(`${file}: not acceptable YAML: ${describeYamlError(error)}`);
    }
  }
  try {
    return parseJsonStrict(text, MAX_DEPTH);
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    throw new Error(
      `${file}: not acceptable JSON: ${error.message}${error.pointer ? ` at ${error.pointer}` : ''}`,
    );
  }
}

/** One `pointer: message` line per violation, as the table commands print them. */
export function violations(errors: readonly { pointer: string; message: string }[]): string {
  return errors
    .map((e) => `${e.pointer === '' ? '(document)' : e.pointer}: ${e.message}`)
    .join('\n');
}

/** A service's domain error as a CLI failure: its message and every violation, then exit 1. */
/**
 * A stored table as the CLI names it, `name` (the version in force) or `name@version`, checked
 * as the HTTP routes check a table reference, for every command that takes one.
 */
export function parseTableReference(
  option: string,
  value: string,
): { name: string; version?: string } {
  const [name, version, ...rest] = value.split('@');
  if (
    rest.length > 0 ||
    !TABLE_NAME_PATTERN.test(name) ||
    (version !== undefined && !TABLE_VERSION_PATTERN.test(version))
  ) {
    throw new Error(`${option} must be name or name@version, e.g. sme-cyber@2027.1`);
  }
  return version === undefined ? { name } : { name, version };
}

export function asCliError(error: unknown): unknown {
  if (!(error instanceof DomainError)) return error;
  return new Error(
    error.errors.length > 0 ? `${error.message}\n${violations(error.errors)}` : error.message,
  );
}
