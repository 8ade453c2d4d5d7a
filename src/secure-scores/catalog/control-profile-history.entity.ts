import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Every profile version the catalog has taken, as received. */
@Entity('control_profile_history')
@Index('control_profile_history_control_idx', ['controlName', 'recordedAt'])
export class ControlProfileHistoryEntity {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'control_profile_history_pkey',
  })
  id: string;

  @Column({ name: 'control_name', type: 'text' })
  controlName: string;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;

  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'jsonb' })
  profile: unknown;
}
