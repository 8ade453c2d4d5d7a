import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The catalog: the latest known profile of each Secure Score control (latest wins). */
@Entity('control_profiles')
export class ControlProfileEntity {
  @PrimaryColumn({
    name: 'control_name',
    type: 'text',
    primaryKeyConstraintName: 'control_profiles_pkey',
  })
  controlName: string;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ name: 'control_category', type: 'text', nullable: true })
  controlCategory: string | null;

  @Column({ type: 'text', nullable: true })
  service: string | null;

  @Column({ type: 'text', nullable: true })
  tier: string | null;

  @Column({ name: 'max_score', type: 'numeric', nullable: true })
  maxScore: string | null;

  @Column({ type: 'integer', nullable: true })
  rank: number | null;

  @Column({ name: 'action_type', type: 'text', nullable: true })
  actionType: string | null;

  @Column({ name: 'user_impact', type: 'text', nullable: true })
  userImpact: string | null;

  @Column({ name: 'implementation_cost', type: 'text', nullable: true })
  implementationCost: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  threats: string[];

  @Column({ type: 'boolean', nullable: true })
  deprecated: boolean | null;

  /** `seed` (the shipped catalog) or `ingested` (a control profile pushed to the API). */
  @Column({ type: 'text' })
  source: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
