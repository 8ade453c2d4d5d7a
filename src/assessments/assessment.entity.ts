import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { ControlState, Decision, Rating } from '../rating/rating.types.js';
import { SecureScoreSnapshotEntity } from '../secure-scores/secure-score-snapshot.entity.js';
import { storedRatingTransformer } from './stored-rating.js';

/**
 * A stored rating with every input needed to reproduce it bit for bit: the snapshot, the table
 * version and its hash, asOf, the industry, the control states and the catalog maxScores used.
 * Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
 */
@Entity('assessments')
@Index('assessments_history_idx', ['clientTenantId', 'createdAt', 'id'])
@Index('assessments_id_idx', ['id'])
export class AssessmentEntity {
  @PrimaryColumn({
    name: 'client_tenant_id',
    type: 'uuid',
    primaryKeyConstraintName: 'assessments_pkey',
  })
  clientTenantId: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'assessments_pkey' })
  id: string;

  @Column({ name: 'snapshot_id', type: 'uuid' })
  snapshotId: string;

  @ManyToOne(() => SecureScoreSnapshotEntity)
  @JoinColumn({
    name: 'client_tenant_id',
    referencedColumnName: 'clientTenantId',
    foreignKeyConstraintName: 'assessments_snapshot_fk',
  })
  @JoinColumn({
    name: 'snapshot_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'assessments_snapshot_fk',
  })
  snapshot?: SecureScoreSnapshotEntity;

  @Column({ name: 'table_name', type: 'text' })
  tableName: string;

  @Column({ name: 'table_version', type: 'text' })
  tableVersion: string;

  @Column({ name: 'table_sha256', type: 'text' })
  tableSha256: string;

  @Column({ name: 'as_of', type: 'timestamptz' })
  asOf: Date;

  @Column({ type: 'text', nullable: true })
  industry: string | null;

  // json, not jsonb: written once, read whole, kept as written (migration 1764370800000).
  @Column({ name: 'control_states', type: 'json' })
  controlStates: Record<string, ControlState>;

  @Column({ name: 'catalog_max_scores', type: 'json' })
  catalogMaxScores: Record<string, string>;

  // Contributions and improvements are stored as columns (stored-rating.ts); read back as §5.
  @Column({ type: 'json', transformer: storedRatingTransformer })
  rating: Rating;

  @Column({ type: 'text', nullable: true })
  tier: string | null;

  @Column({ type: 'numeric', nullable: true })
  factor: string | null;

  @Column({ type: 'text' })
  decision: Decision;

  @Column({ name: 'portfolio_run_id', type: 'uuid', nullable: true })
  portfolioRunId: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
