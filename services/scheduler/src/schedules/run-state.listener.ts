import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { BusContext, OnEvent } from '@flowforge/bus';
import { RunStateChanged, type RunStateChangedEvent } from '@flowforge/contracts';
import { LOGGER, type FlowForgeLogger } from '@flowforge/service-kit';
import { AssetWriterStore, isRunId, isStorableText } from './asset-writers.store';
import { FireStore } from './fire.store';
import { SchedulerClock } from './scheduler.clock';
import { FiringBatch, ScheduleFiring } from './schedule.firing';
import { ScheduleStore } from './schedule.store';

const FINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);
const FAILED = new Set(['failed', 'timed_out']);

/**
 * run.state-changed (group `scheduler`). Every run's workflow and state is recorded (`runs`: what puts an
 * asset commit to its workflow, and the active runs of another workflow writing a same asset). For the runs
 * the scheduler requested, matched by run id, it also records their state on the fire (what overlap looks
 * at), releases a buffered fire when the last active run ends, counts consecutive failures and pauses the
 * schedule at its autoPauseAfterFailures.
 */
@Controller()
export class RunStateListener {
  constructor(
    private readonly fires: FireStore,
    private readonly schedules: ScheduleStore,
    private readonly firing: ScheduleFiring,
    private readonly clock: SchedulerClock,
    private readonly writers: AssetWriterStore,
    @Inject(LOGGER) private readonly logger: FlowForgeLogger,
  ) {}

  @OnEvent(RunStateChanged, { group: 'scheduler', maxAttempts: 10, backoffMs: 50 })
  async onRunStateChanged(@Payload() e: RunStateChangedEvent, @Ctx() ctx: BusContext): Promise<void> {
    // Not a uuid: no run of the scheduler's, and nothing it can record.
    if (!isRunId(e.runId)) return;
    const tx = ctx.getTx();
    if (isStorableText(e.workflowId))
      await this.writers.recordRun(tx, e.runId, e.workflowId, e.to, new Date(Number.isFinite(e.occurredAt) ? e.occurredAt : Date.now()));
    const fire = await this.fires.byRun(tx, e.runId);
    if (!fire) return;
    // The schedule's lock orders this with the fire loop (which holds it while deciding overlap).
    const s = await this.schedules.lockById(tx, fire.schedule_id);
    if (!s) return;
    // A late event never moves a finished run back.
    if (fire.run_state && FINAL.has(fire.run_state)) return;
    await this.fires.setRunState(tx, fire.id, e.to, e.reason);
    if (!FINAL.has(e.to)) return;
    if (FAILED.has(e.to)) {
      const failures = s.consecutive_failures + 1;
      await this.schedules.setFailures(tx, s.id, failures);
      if (s.auto_pause_after_failures !== null && failures >= s.auto_pause_after_failures && !s.paused) {
        const note = `auto-paused after ${failures} consecutive failed runs (last: run ${e.runId} ${e.to}${e.reason ? `: ${e.reason}` : ''})`.slice(0, 1000);
        await this.schedules.pause(tx, s.id, note, 'scheduler', this.clock.now());
        await this.fires.dropBuffered(tx, s.id);
        this.logger.warn({ schedule: s.name, runId: e.runId }, `FF_SCHEDULE_AUTO_PAUSED: schedule "${s.name}" ${note}`);
        return;
      }
    } else if (e.to === 'succeeded') {
      await this.schedules.setFailures(tx, s.id, 0);
    }
    const batch = new FiringBatch();
    if (!(await this.firing.releaseBuffered(tx, s, this.clock.now(), batch))) return;
    // Published after the batch's last handler (the Postgres bus): a publish holds its partition's head
    // until commit, and the fire loop, holding schedules, may wait for that head — while this
    // transaction, publishing as it went, could wait for one of those schedules at its next event.
    const events = ctx.getEventContext();
    if (events.beforeCommit) events.beforeCommit(() => this.firing.flush(tx, batch));
    else await this.firing.flush(tx, batch);
  }
}
