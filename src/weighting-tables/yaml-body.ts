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
 * The largest YAML body. The YAML parser costs about 12 µs a mapping key on the event loop (JSON
 * a fraction of that), so a 16 MiB body would hold it for tens of seconds; a table written by
 * hand for the whole catalog (about 450 controls) is under 50 KB. Larger tables go as JSON.
 */
export const YAML_BODY_LIMIT_BYTES = 256 * 1024;

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
  const bytes = Buffer.byteLength(text);
  if (bytes > YAML_BODY_LIMIT_BYTES) {
    throw new DomainError(
      'payload-too-large',
      `A YAML table is at most ${YAML_BODY_LIMIT_BYTES / 1024} KiB (this one is ${bytes} bytes); send a larger one as JSON`,
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
