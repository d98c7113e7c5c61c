import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import { AssetCommitted, type AssetCommittedEvent } from '@flowforge/contracts';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { AssetWriterStore, isRunId, isStorableText } from './asset-writers.store';

/**
 * flowforge.asset.committed (group `scheduler`): learns which workflow writes which lake asset. The
 * commit's run is put to its workflow — through run.state-changed's record of it (`runs`), or the fire
 * that requested it — and (workflow, asset) is upserted with the last write and run: one row per pair
 * however often, or redelivered. A commit without a run (manual), of a run the scheduler never heard of,
 * or with a field that is no identifier is ignored (debug log), never retried: nothing would change.
 * The bus's inbox (group `scheduler`) drops a redelivered event; the upsert makes a replay harmless too.
 */
@Controller()
export class AssetCommittedListener {
  constructor(
    private readonly writers: AssetWriterStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  @OnEvent(AssetCommitted, { group: 'scheduler', maxAttempts: 10, backoffMs: 50 })
  async onAssetCommitted(@Payload() e: AssetCommittedEvent, @Ctx() ctx: BusContext): Promise<void> {
    if (!isRunId(e.runId)) {
      this.logger.debug({ assetId: e.assetId, runId: e.runId }, 'asset.committed without a run id the scheduler records: ignored');
      return;
    }
    if (![e.assetId, e.layer, e.namespace, e.table].every(isStorableText)) {
      this.logger.debug({ runId: e.runId }, 'asset.committed with an asset id or name the scheduler does not store: ignored');
      return;
    }
    const tx = ctx.getTx();
    const workflow = await this.writers.workflowOfRun(tx, e.runId);
    if (!workflow) {
      this.logger.debug({ assetId: e.assetId, runId: e.runId }, 'asset.committed of a run the scheduler does not know: ignored');
      return;
    }
    await this.writers.recordWrite(tx, {
      workflow,
      assetId: e.assetId,
      layer: e.layer,
      namespace: e.namespace,
      table: e.table,
      writtenAt: Number.isFinite(e.occurredAt) ? new Date(e.occurredAt) : new Date(),
      runId: e.runId,
    });
  }
}
