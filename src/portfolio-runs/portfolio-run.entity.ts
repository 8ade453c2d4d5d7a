import { Check, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const PORTFOLIO_RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type PortfolioRunStatus = (typeof PORTFOLIO_RUN_STATUSES)[number];

/** A batch re-assessment: its table version and member set are pinned when it is created. */
@Entity('portfolio_runs')
@Check(
  'portfolio_runs_status_check',
  `status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')`,
)
export class PortfolioRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'portfolio_runs_pkey' })
  id: string;

  @Column({ type: 'text' })
  status: PortfolioRunStatus;

  @Column({ name: 'table_name', type: 'text' })
  tableName: string;

  @Column({ name: 'table_version', type: 'text' })
  tableVersion: string;

  @Column({ name: 'table_sha256', type: 'text' })
  tableSha256: string;

  /** False for an impact test on a draft: results only, no assessments. */
  @Column({ name: 'table_published', type: 'boolean' })
  tablePublished: boolean;

  @Column({ name: 'as_of', type: 'timestamptz' })
  asOf: Date;

  @Column({ type: 'jsonb' })
  filter: Record<string, unknown>;

  @Column({ name: 'compare_to', type: 'jsonb', nullable: true })
  compareTo: Record<string, unknown> | null;

  @Column({ type: 'integer' })
  total: number;

  @Column({ type: 'integer', default: 0 })
  done: number;

  @Column({ type: 'integer', default: 0 })
  failed: number;

  @Column({ type: 'jsonb', nullable: true })
  summary: Record<string, unknown> | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
