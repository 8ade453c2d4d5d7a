import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The first response to an Idempotency-Key, per credential, replayed for retries of the same request. */
@Entity('idempotency_keys')
@Index('idempotency_keys_created_idx', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  scope: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  key: string;

  @Column({ name: 'request_sha256', type: 'text' })
  requestSha256: string;

  @Column({ type: 'integer' })
  status: number;

  /** json, not jsonb: a replay is the first response byte for byte (jsonb re-orders members). */
  @Column({ type: 'json' })
  response: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
