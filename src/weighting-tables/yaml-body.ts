import { DomainError } from '../common/errors/domain-error.js';
import {
  parseWeightingTableYaml,
  WeightingTableYamlError,
} from '../rating/weighting-table.yaml.js';

/** The content types a weighting table may be uploaded as, besides JSON. */
export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

// Actuaries write tables by hand in YAML; no other route has a use for it, so no other takes it.
const YAML_ROUTES = /^\/v1\/weighting-tables(?:[/?]|$)/;

/**
 * A YAML request body as the document it denotes, parsed by the rating module's table YAML parser
 * (one document, no aliases or custom tags, numbers kept as written). A broken body is a 400.
 */
export function parseYamlBody(method: string, url: string, text: string): unknown {
  if (!YAML_ROUTES.test(url)) {
    throw new DomainError('unsupported-media-type', 'Only the weighting table routes accept YAML');
  }
  // A PATCH is an RFC 7396 merge patch, which is JSON; a whole document goes by PUT.
  if (method === 'PATCH') {
    throw new DomainError(
      'unsupported-media-type',
      'A PATCH is a JSON merge patch (application/merge-patch+json); send a YAML document with PUT',
    );
  }
  try {
    return parseWeightingTableYaml(text);
  } catch (error) {
    if (!(error instanceof WeightingTableYamlError)) throw error;
    const message = describeYamlError(error);
    throw new DomainError('bad-request', `The body is not acceptable YAML: ${message}`, [
      { pointer: '', message },
    ]);
  }
}

/** The parser's message with where it happened, when known. */
export function describeYamlError(error: WeightingTableYamlError): string {
  return error.line === null
    ? error.message
    : `line ${error.line}, column ${error.column ?? '?'}: ${error.message}`;
}
