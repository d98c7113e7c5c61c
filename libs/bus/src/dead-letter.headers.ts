import { errorCodeOf, errorMessageOf, storableErrorText } from './bus.errors';
import { DeadLetterHeaders } from './event-bus.port';

/** Where a dead-lettered event stood when its group gave up on it. */
export interface DeadLetterOrigin {
  topic: string;
  partition: number;
  /** Decimal string (bigint-safe). */
  offset: string;
  group: string;
  attempts: number;
}

/**
 * The headers of a `<topic>.dlq` entry, the same on both adapters: the original headers plus why and
 * where the event failed. The error text is made storable (no NUL, bounded): a dead-letter write must
 * never fail on the error it records.
 */
export function deadLetterHeaders(
  original: Record<string, string>,
  error: unknown,
  at: DeadLetterOrigin,
): { message: string; headers: Record<string, string> } {
  const message = storableErrorText(errorMessageOf(error));
  return {
    message,
    headers: {
      ...original,
      [DeadLetterHeaders.error]: message,
      [DeadLetterHeaders.errorCode]: storableErrorText(errorCodeOf(error)),
      [DeadLetterHeaders.originalTopic]: at.topic,
      [DeadLetterHeaders.originalPartition]: String(at.partition),
      [DeadLetterHeaders.originalOffset]: at.offset,
      [DeadLetterHeaders.group]: at.group,
      [DeadLetterHeaders.attempts]: String(at.attempts),
    },
  };
}
