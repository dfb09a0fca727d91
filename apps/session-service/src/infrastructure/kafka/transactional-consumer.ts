import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import {
  transactionalConsumer as sharedTransactionalConsumer,
  type BatchConsumer,
  type TransactionalConsumerOptions,
} from '@app/kafka';
import { sessionMetrics } from '../metrics';

export {
  MAX_MERGED_RECORDS,
  MAX_RECORDS_PER_TRANSACTION,
  MERGED_TRANSACTIONS,
  type ParsedRecord,
  type TransactionalConsumerOptions,
} from '@app/kafka';

/**
 * session-service's consumers on the shared transactional consumer of libs/kafka (offsets in the
 * batch's Postgres transaction, retries, dead-letter, validation at the edge), each transaction
 * timed in `sessions_batch_transaction_seconds`.
 */
export function transactionalConsumer<R, P = undefined>(
  kafka: Kafka,
  pool: Pool,
  options: TransactionalConsumerOptions<R, P>,
): BatchConsumer {
  return sharedTransactionalConsumer(kafka, pool, {
    timeTransaction: (topic) => sessionMetrics.batchSeconds.startTimer({ topic }),
    ...options,
  });
}
