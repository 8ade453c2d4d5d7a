import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PortfolioRunEntity } from './portfolio-run.entity.js';

/**
 * How many of one chunk's rated client tenants lack a weighted control (missing, or adopted
 * below 1): summed over the chunks, the book's accumulation of that weakness. Written in the
 * chunk's own transaction, for the members it rates there, so a retried chunk counts nobody twice.
 */
@Entity('portfolio_run_lacking_controls')
export class PortfolioRunLackingControlEntity {
  @PrimaryColumn({
    name: 'run_id',
    type: 'uuid',
    primaryKeyConstraintName: 'portfolio_run_lacking_controls_pkey',
  })
  runId: string;

  @PrimaryColumn({
    type: 'integer',
    primaryKeyConstraintName: 'portfolio_run_lacking_controls_pkey',
  })
  chunk: number;

  @PrimaryColumn({
    type: 'text',
    primaryKeyConstraintName: 'portfolio_run_lacking_controls_pkey',
  })
  control: string;

  @Column({ type: 'integer' })
  clients: number;

  @ManyToOne(() => PortfolioRunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'portfolio_run_lacking_controls_run_fk' })
  run?: PortfolioRunEntity;
}
