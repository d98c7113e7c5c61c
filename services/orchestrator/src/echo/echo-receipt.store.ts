import { Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';

/** One echo the orchestrator received over the bus (ff_orchestrator.echo_receipts). */
export interface EchoReceipt {
  echoId: string;
  /** The last event that touched the receipt. */
  eventId: string;
  message: string;
  /** >1 only when distinct events carried the same echoId (redeliveries are absorbed by the inbox). */
  handledCount: number;
  handledAt: Date;
}

interface EchoReceiptRow extends Record<string, unknown> {
  echo_id: string;
  event_id: string;
  message: string;
  handled_count: number;
  handled_at: Date;
}

/** ff_orchestrator.echo_receipts; every method takes the Queryable to run on (ctx.tx, a transaction or the pool). */
@Injectable()
export class EchoReceiptStore {
  /** Written through the handler's transaction (ctx.tx), so the receipt commits with the bus inbox row and offset. */
  async record(tx: Queryable, receipt: { echoId: string; eventId: string; message: string }): Promise<void> {
    await tx.query(
      `INSERT INTO ff_orchestrator.echo_receipts (echo_id, event_id, message, handled_count, handled_at)
       VALUES ($1, $2, $3, 1, now())
       ON CONFLICT (echo_id) DO UPDATE
         SET event_id = EXCLUDED.event_id, message = EXCLUDED.message,
             handled_count = echo_receipts.handled_count + 1, handled_at = now()`,
      [receipt.echoId, receipt.eventId, receipt.message],
    );
  }

  async find(db: Queryable, echoId: string): Promise<EchoReceipt | null> {
    const { rows } = await db.query<EchoReceiptRow>(
      `SELECT echo_id, event_id, message, handled_count, handled_at FROM ff_orchestrator.echo_receipts WHERE echo_id = $1`,
      [echoId],
    );
    const r = rows[0];
    return r ? { echoId: r.echo_id, eventId: r.event_id, message: r.message, handledCount: r.handled_count, handledAt: r.handled_at } : null;
  }
}
