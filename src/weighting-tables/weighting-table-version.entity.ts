import { Check, Column, Entity, Exclusion, type ObjectLiteral, PrimaryColumn } from 'typeorm';

export const TABLE_STATUSES = ['draft', 'published'] as const;
export type TableStatus = (typeof TABLE_STATUSES)[number];

/**
 * One version of a weighting table: the document as received, its RFC 8785 SHA-256 and its
 * effective interval [effectiveFrom, effectiveTo). A trigger makes a published row immutable
 * (publication itself is the one draft -> published update it allows; a published row takes
 * only a supersession, from a day not yet begun), and the exclusion constraint keeps the
 * intervals in force of one name's published versions, [effectiveFrom, supersededFrom ??
 * effectiveTo), from overlapping.
 */
@Entity('weighting_table_versions')
@Check('weighting_table_versions_status_check', `status IN ('draft', 'published')`)
@Check(
  'weighting_table_versions_interval_check',
  `effective_to IS NULL OR effective_to > effective_from`,
)
@Check(
  'weighting_table_versions_published_check',
  `(status = 'published') = (published_at IS NOT NULL AND published_by IS NOT NULL)`,
)
@Check(
  'weighting_table_versions_superseded_check',
  `(superseded_from IS NULL) = (superseded_by IS NULL) AND (superseded_from IS NULL OR (status = 'published' AND superseded_from > effective_from AND (effective_to IS NULL OR superseded_from < effective_to)))`,
)
@Exclusion(
  'weighting_table_versions_no_overlap',
  `USING gist (name WITH =, daterange(effective_from, COALESCE(superseded_from, effective_to), '[)') WITH &&) WHERE (status = 'published')`,
)
export class WeightingTableVersionEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'weighting_table_versions_pkey' })
  name: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'weighting_table_versions_pkey' })
  version: string;

  @Column({ type: 'text' })
  status: TableStatus;

  /** The document as received; its numbers keep the decimal written (the validator bounds them). */
  @Column({ type: 'jsonb' })
  document: ObjectLiteral;

  @Column({ type: 'text' })
  sha256: string;

  /** `YYYY-MM-DD`: TypeORM hydrates a `date` column as a string, never a local-time Date. */
  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom: string;

  @Column({ name: 'effective_to', type: 'date', nullable: true })
  effectiveTo: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @Column({ name: 'published_by', type: 'text', nullable: true })
  publishedBy: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  /**
   * Set by the publication of `supersededBy`: the first day this published version is no longer
   * in force, earlier than its own `effectiveTo`. Its document and interval stay as published.
   */
  @Column({ name: 'superseded_from', type: 'date', nullable: true })
  supersededFrom: string | null;

  @Column({ name: 'superseded_by', type: 'text', nullable: true })
  supersededBy: string | null;
}

/**
 * Every name and version ever created, drafts deleted since included: creation inserts here
 * first, so a version is never reused for another document (rating-spec §1). Append-only.
 */
@Entity('weighting_table_version_names')
export class WeightingTableVersionNameEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'weighting_table_version_names_pkey' })
  name: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'weighting_table_version_names_pkey' })
  version: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
