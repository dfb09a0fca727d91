import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@app/observability';

/** The session service's own figures on /metrics (next to the process defaults). */
export const sessionMetrics = {
  recordsFolded: new Counter({
    name: 'sessions_ocpp_records_folded_total',
    help: 'ocpp.v16.events records folded and committed (offsets stored with them)',
    registers: [metricsRegistry],
  }),
  batchSeconds: new Histogram({
    name: 'sessions_batch_transaction_seconds',
    help: 'Duration of one consumer transaction (fold, append, projections, offsets)',
    labelNames: ['topic'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metricsRegistry],
  }),
  foldLagSeconds: new Histogram({
    name: 'sessions_fold_lag_seconds',
    help: 'Gateway receive time of an OCPP record → its batch committed (projection visible)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metricsRegistry],
  }),
};
