import { Module } from '@nestjs/common';
import { orchestratorDatabase } from '../orchestrator.database';
import { RunsModule } from '../runs/runs.module';
import { RunEventsController } from './run-events.controller';
import { RunFeedListener } from './run-feed.listener';
import { RunFeedReader } from './run-feed.reader';
import { RunLogsController } from './run-logs.controller';

/** Run logs (paged) and the live run event stream (SSE). */
@Module({
  imports: [orchestratorDatabase, RunsModule],
  controllers: [RunLogsController, RunEventsController],
  providers: [RunFeedReader, RunFeedListener],
})
export class FeedModule {}
