/**
 * The shapes of the identifiers users type, shared by the HTTP DTOs, the CLI's options and the
 * request parsers, so that every entry point refuses the same things. The rating module keeps
 * its own copy for table documents (rating-spec §1): it imports nothing outside itself.
 */

/** An industry: a lowercase slug, as the client_tenants CHECK constraint has it. */
export const INDUSTRY_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A weighting table's `name` (rating-spec §1). */
export const TABLE_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A weighting table's `version` (rating-spec §1, less `.` and `..`, which no URL can name). */
export const TABLE_VERSION_PATTERN = /^(?!\.\.?$)[A-Za-z0-9._-]{1,32}$/;
/** TABLE_VERSION_PATTERN as a violation says it. */
export const TABLE_VERSION_RULE = '1 to 32 of A-Z a-z 0-9 . _ - (not . or ..)';
