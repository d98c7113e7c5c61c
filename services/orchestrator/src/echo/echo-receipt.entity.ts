import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One echo the orchestrator received over the bus (schema ff_orchestrator, from the DataSource). */
@Entity({ name: 'echo_receipts' })
export class EchoReceipt {
  @PrimaryColumn({ name: 'echo_id', type: 'uuid' })
  echoId!: string;

  /** The last event that touched the receipt. */
  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ type: 'text' })
  message!: string;

  /** >1 only when distinct events carried the same echoId (redeliveries are absorbed by the inbox). */
  @Column({ name: 'handled_count', type: 'integer' })
  handledCount!: number;

  @Column({ name: 'handled_at', type: 'timestamptz' })
  handledAt!: Date;
}
