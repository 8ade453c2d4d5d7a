import {
  Column,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { ClientTenantEntity } from '../client-tenants/client-tenant.entity.js';

/**
 * One daily Secure Score of a client tenant. Control scores are parallel arrays (one element per
 * control, in payload order); decimals stay strings from `pg` to the rating. Written in bulk by
 * the SnapshotWriter, read through TypeORM.
 */
@Entity('secure_score_snapshots')
@Unique('secure_score_snapshots_natural_key', ['clientTenantId', 'createdDateTime'])
export class SecureScoreSnapshotEntity {
  @PrimaryColumn({
    name: 'client_tenant_id',
    type: 'uuid',
    primaryKeyConstraintName: 'secure_score_snapshots_pkey',
  })
  clientTenantId: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'secure_score_snapshots_pkey' })
  id: string;

  @ManyToOne(() => ClientTenantEntity)
  @JoinColumn({
    name: 'client_tenant_id',
    foreignKeyConstraintName: 'secure_score_snapshots_tenant_fk',
  })
  clientTenant?: ClientTenantEntity;

  @Column({ name: 'created_date_time', type: 'timestamptz' })
  createdDateTime: Date;

  @Column({ name: 'graph_id', type: 'text', nullable: true })
  graphId: string | null;

  @Column({ name: 'source_shape', type: 'text' })
  sourceShape: string;

  @Column({ name: 'current_score', type: 'numeric', nullable: true })
  currentScore: string | null;

  @Column({ name: 'max_score', type: 'numeric', nullable: true })
  maxScore: string | null;

  @Column({ name: 'active_user_count', type: 'integer', nullable: true })
  activeUserCount: number | null;

  @Column({ name: 'licensed_user_count', type: 'integer', nullable: true })
  licensedUserCount: number | null;

  @Column({ name: 'enabled_services', type: 'text', array: true })
  enabledServices: string[];

  @Column({ name: 'average_comparative_scores', type: 'jsonb' })
  averageComparativeScores: unknown[];

  @Column({ name: 'control_names', type: 'text', array: true })
  controlNames: string[];

  @Column({ name: 'control_categories', type: 'text', array: true })
  controlCategories: (string | null)[];

  @Column({ name: 'control_scores', type: 'numeric', array: true })
  controlScores: (string | null)[];

  @Column({ name: 'control_score_percentages', type: 'numeric', array: true })
  controlScorePercentages: (string | null)[];

  @Column({ name: 'control_max_scores', type: 'numeric', array: true })
  controlMaxScores: (string | null)[];

  /** Control names the catalog did not know when the snapshot arrived. */
  @Column({ name: 'unknown_controls', type: 'text', array: true, default: () => "'{}'" })
  unknownControls: string[];

  /** Control names the catalog marked deprecated when the snapshot arrived. */
  @Column({ name: 'deprecated_controls', type: 'text', array: true, default: () => "'{}'" })
  deprecatedControls: string[];

  @Column({ name: 'content_sha256', type: 'text' })
  contentSha256: string;

  @Column({ name: 'raw_gzip', type: 'bytea', select: false })
  rawGzip: Buffer;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ name: 'received_by', type: 'uuid', nullable: true })
  receivedBy: string | null;
}
