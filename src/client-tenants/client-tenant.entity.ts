import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { PartnerEntity } from '../access/partner.entity.js';

/** An insured organisation's Microsoft 365 tenant, known by its Azure tenant id. */
@Entity('client_tenants')
@Unique('client_tenants_azure_tenant_id_key', ['azureTenantId'])
@Index('client_tenants_partner_idx', ['partnerId', 'id'])
@Index('client_tenants_industry_idx', ['industry', 'id'])
@Check('client_tenants_industry_check', `industry ~ '^[a-z0-9][a-z0-9-]{0,62}$'`)
export class ClientTenantEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'client_tenants_pkey' })
  id: string;

  @Column({ name: 'azure_tenant_id', type: 'text' })
  azureTenantId: string;

  /** The partner that brought this client tenant; null when the insurer's own staff did. */
  @Column({ name: 'partner_id', type: 'uuid', nullable: true })
  partnerId: string | null;

  @ManyToOne(() => PartnerEntity, { nullable: true })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'client_tenants_partner_fk' })
  partner?: PartnerEntity;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text', nullable: true })
  industry: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
