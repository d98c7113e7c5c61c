import { Inject, Injectable } from '@nestjs/common';
import type { Queryable } from '@flowforge/db';
import { dataSourceToken } from '@flowforge/service-kit';
import type { DataSource, Repository } from 'typeorm';
import { EchoReceipt } from './echo-receipt.entity';

@Injectable()
export class EchoReceiptStore {
  private readonly receipts: Repository<EchoReceipt>;

  constructor(@Inject(dataSourceToken('orchestrator')) dataSource: DataSource) {
    this.receipts = dataSource.getRepository(EchoReceipt);
  }

  /**
   * Written through the handler's transaction (ctx.tx), so the receipt commits with the bus inbox row
   * and offset — raw SQL because that transaction belongs to the bus's pg client, not to TypeORM.
   */
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

  find(echoId: string): Promise<EchoReceipt | null> {
    return this.receipts.findOneBy({ echoId });
  }
}
