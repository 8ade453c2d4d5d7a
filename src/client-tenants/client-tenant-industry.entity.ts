import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ClientTenantEntity } from './client-tenant.entity.js';

/** Each industry a client tenant has had, from when: ratings as of a date use the one then. */
@Entity('client_tenant_industry_history')
export class ClientTenantIndustryEntity {
  @PrimaryColumn({
    name: 'client_tenant_id',
    type: 'uuid',
    primaryKeyConstraintName: 'client_tenant_industry_history_pkey',
  })
  clientTenantId: string;

  @PrimaryColumn({
    name: 'effective_at',
    type: 'timestamptz',
    primaryKeyConstraintName: 'client_tenant_industry_history_pkey',
  })
  effectiveAt: Date;

  @Column({ type: 'text', nullable: true })
  industry: string | null;

  @ManyToOne(() => ClientTenantEntity)
  @JoinColumn({
    name: 'client_tenant_id',
    foreignKeyConstraintName: 'client_tenant_industry_history_tenant_fk',
  })
  clientTenant?: ClientTenantEntity;
}
