import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ClientTenantEntity } from '../../client-tenants/client-tenant.entity.js';
import type { ControlState } from '../../rating/rating.types.js';

/** A client tenant's state of one control (`controlStateUpdates`), from when it took effect. */
@Entity('client_tenant_control_states')
@Check(
  'client_tenant_control_states_state_check',
  `state IN ('Default', 'Ignored', 'ThirdParty', 'Reviewed')`,
)
export class ClientTenantControlStateEntity {
  @PrimaryColumn({
    name: 'client_tenant_id',
    type: 'uuid',
    primaryKeyConstraintName: 'client_tenant_control_states_pkey',
  })
  clientTenantId: string;

  @PrimaryColumn({
    name: 'control_name',
    type: 'text',
    primaryKeyConstraintName: 'client_tenant_control_states_pkey',
  })
  controlName: string;

  @PrimaryColumn({
    name: 'effective_at',
    type: 'timestamptz',
    primaryKeyConstraintName: 'client_tenant_control_states_pkey',
  })
  effectiveAt: Date;

  @ManyToOne(() => ClientTenantEntity)
  @JoinColumn({
    name: 'client_tenant_id',
    foreignKeyConstraintName: 'client_tenant_control_states_tenant_fk',
  })
  clientTenant?: ClientTenantEntity;

  @Column({ type: 'text' })
  state: ControlState;

  @Column({ name: 'updated_by', type: 'text', nullable: true })
  updatedBy: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
