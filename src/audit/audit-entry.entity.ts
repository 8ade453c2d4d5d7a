import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One state change: who did what to which entity, when, with hashes of the state before and
 * after. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE for every role.
 */
@Entity('audit_log')
@Index('audit_log_entity_idx', ['entityType', 'entityId'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'audit_log_pkey',
  })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ name: 'actor_key_id', type: 'text' })
  actorKeyId: string;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole: string;

  @Column({ name: 'actor_partner_id', type: 'uuid', nullable: true })
  actorPartnerId: string | null;

  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId: string;

  @Column({ name: 'client_tenant_id', type: 'uuid', nullable: true })
  clientTenantId: string | null;

  @Column({ name: 'before_sha256', type: 'text', nullable: true })
  beforeSha256: string | null;

  @Column({ name: 'after_sha256', type: 'text', nullable: true })
  afterSha256: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details: Record<string, unknown>;
}
