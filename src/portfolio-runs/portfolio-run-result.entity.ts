import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PortfolioRunEntity } from './portfolio-run.entity.js';

/** Exactly one per member and run (the primary key makes a retried chunk write nothing twice). */
@Entity('portfolio_run_results')
export class PortfolioRunResultEntity {
  @PrimaryColumn({
    name: 'run_id',
    type: 'uuid',
    primaryKeyConstraintName: 'portfolio_run_results_pkey',
  })
  runId: string;

  @PrimaryColumn({
    name: 'client_tenant_id',
    type: 'uuid',
    primaryKeyConstraintName: 'portfolio_run_results_pkey',
  })
  clientTenantId: string;

  @ManyToOne(() => PortfolioRunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'portfolio_run_results_run_fk' })
  run?: PortfolioRunEntity;

  @Column({ name: 'snapshot_id', type: 'uuid', nullable: true })
  snapshotId: string | null;

  @Column({ type: 'numeric', nullable: true })
  index: string | null;

  @Column({ type: 'text', nullable: true })
  tier: string | null;

  @Column({ type: 'numeric', nullable: true })
  factor: string | null;

  @Column({ type: 'text', nullable: true })
  decision: string | null;

  /** The industry it was rated with: in force at the run's asOf, not the tenant's current one. */
  @Column({ type: 'text', nullable: true })
  industry: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  reasons: string[];

  @Column({ name: 'missing_controls', type: 'text', array: true, default: () => "'{}'" })
  missingControls: string[];

  /** From `compareTo`: the other run's, or the other table version's, result for this client tenant. */
  @Column({ name: 'previous_tier', type: 'text', nullable: true })
  previousTier: string | null;

  @Column({ name: 'previous_factor', type: 'numeric', nullable: true })
  previousFactor: string | null;

  /** Why this client tenant could not be rated (e.g. no snapshot at asOf); the run goes on. */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'assessment_id', type: 'uuid', nullable: true })
  assessmentId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
