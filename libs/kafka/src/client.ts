import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** Where kafkajs log lines go; defaults to JSON on stderr for warnings and errors only. */
  log?: (entry: { level: string; message: string; extra: Record<string, unknown> }) => void;
}

const LEVEL_NAMES: Record<number, string> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(options: KafkaClientOptions): Kafka {
  // We choose the partitioner explicitly (kafkajs' default, murmur2 like the Java client), so the
  // v2 migration notice is noise.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const sink =
    options.log ??
    ((e) => process.stderr.write(JSON.stringify({ level: e.level, msg: e.message, ...e.extra }) + '\n'));
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        sink({ level: LEVEL_NAMES[level] ?? 'info', message: `kafkajs: ${message}`, extra });
      },
  });
}
