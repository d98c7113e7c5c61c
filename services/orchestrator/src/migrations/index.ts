import { CreateEchoReceipts1764201600000 } from './1764201600000-create-echo-receipts';
import { CreateRunEngine1764892800000 } from './1764892800000-create-run-engine';
import { AddStepFairShare1765065600000 } from './1765065600000-add-step-fair-share';
import { AddRunCancelledBy1765238400000 } from './1765238400000-add-run-cancelled-by';
import { AddRunLogsTimeOrder1765238400001 } from './1765238400001-add-run-logs-time-order';
import { SoftDeleteAndFeedRetention1766102400000 } from './1766102400000-soft-delete-and-feed-retention';
import { AddStepProgress1767052800000 } from './1767052800000-add-step-progress';

/** In order; a new migration is appended here (explicit list: no glob loading in the bundle). */
export const orchestratorMigrations = [
  CreateEchoReceipts1764201600000,
  CreateRunEngine1764892800000,
  AddStepFairShare1765065600000,
  AddRunCancelledBy1765238400000,
  AddRunLogsTimeOrder1765238400001,
  SoftDeleteAndFeedRetention1766102400000,
  AddStepProgress1767052800000,
];
