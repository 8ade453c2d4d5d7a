import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PortfolioRunEntity } from './portfolio-run.entity.js';

/** A client tenant pinned into a run at its start, and the chunk (job) that rates it. */
@Entity('portfolio_run_members')
@Index('portfolio_run_members_chunk_idx', ['runId', 'chunk'])
export class PortfolioRunMemberEntity {
  @PrimaryColumn({
    name: 'run_id',
    type: 'uuid',
    primaryKeyConstraintName: 'portfolio_run_members_pkey',
  })
  runId: string;

  @PrimaryColumn({
    name: 'client_tenant_id',
    type: 'uuid',
    primaryKeyConstraintName: 'portfolio_run_members_pkey',
  })
  clientTenantId: string;

  @Column({ type: 'integer' })
  chunk: number;

  @ManyToOne(() => PortfolioRunEntity)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'portfolio_run_members_run_fk' })
  run?: PortfolioRunEntity;
}
