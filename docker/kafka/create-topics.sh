#!/bin/bash
# Creates every topic of libs/contracts/src/topics.ts (allTopicSpecs: the eleven topics and their
# .dlq dead-letter topics) on the compose broker, and brings the settings of existing ones up to date.
# Run by the `kafka-init` service of docker/compose.yaml (apache/kafka image); idempotent.
# test/deploy/manifests.unit.spec.ts checks this list against the contracts.
set -euo pipefail
BOOTSTRAP="${KAFKA_BOOTSTRAP:-kafka:9092}"
# Defaults are the single compose broker's; a cluster of three or more brokers takes 3 and 2
# (libs/contracts PRODUCTION_TOPIC_SETTINGS). KAFKA_REPLICATION_FACTOR is the older name.
REPLICATION_FACTOR="${KAFKA_TOPIC_REPLICATION_FACTOR:-${KAFKA_REPLICATION_FACTOR:-1}}"
MIN_INSYNC_REPLICAS="${KAFKA_TOPIC_MIN_INSYNC_REPLICAS:-1}"
if [ "$MIN_INSYNC_REPLICAS" -gt "$REPLICATION_FACTOR" ]; then
  echo "KAFKA_TOPIC_MIN_INSYNC_REPLICAS ($MIN_INSYNC_REPLICAS) must not exceed KAFKA_TOPIC_REPLICATION_FACTOR ($REPLICATION_FACTOR)" >&2
  exit 2
fi
# The apps' KAFKA_TOPIC_PREFIX: every name below gets it.
PREFIX="${KAFKA_TOPIC_PREFIX:-}"
BIN="${KAFKA_BIN:-/opt/kafka/bin}"

# topic <name> <partitions> [config=value ...]; every topic gets min.insync.replicas.
topic() {
  local name="$PREFIX$1" partitions="$2"
  shift 2
  set -- "$@" "min.insync.replicas=$MIN_INSYNC_REPLICAS"
  local create_args=() alter=()
  for kv in "$@"; do
    create_args+=(--config "$kv")
    alter+=("$kv")
  done
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR" "${create_args[@]}"
  if [ "${#alter[@]}" -gt 0 ]; then
    local joined
    joined=$(IFS=,; echo "${alter[*]}")
    "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --alter --entity-type topics \
      --entity-name "$name" --add-config "$joined" >/dev/null
  fi
}

# 30 days = 2592000000 ms, 7 days = 604800000 ms, -1 = keep forever.
topic ocpp.v16.events                12 retention.ms=2592000000
topic ocpp.v16.events.dlq             1 retention.ms=-1
topic ocpp.v16.commands               6 retention.ms=604800000
topic ocpp.v16.commands.dlq           1 retention.ms=-1
topic ocpp.v16.command-results        6 retention.ms=604800000
topic ocpp.v16.command-results.dlq    1 retention.ms=-1
topic ocpp.v201.events               12 retention.ms=2592000000
topic ocpp.v201.events.dlq            1 retention.ms=-1
topic ocpp.v201.commands              6 retention.ms=604800000
topic ocpp.v201.commands.dlq          1 retention.ms=-1
topic ocpp.v201.command-results       6 retention.ms=604800000
topic ocpp.v201.command-results.dlq   1 retention.ms=-1
topic charging.sessions.v1           12 retention.ms=2592000000
topic charging.sessions.v1.dlq        1 retention.ms=-1
topic billing.session-charges.v1      6 retention.ms=-1
topic billing.session-charges.v1.dlq  1 retention.ms=-1
topic billing.tariffs.v1              3 cleanup.policy=compact min.compaction.lag.ms=0
topic billing.tariffs.v1.dlq          1 retention.ms=-1
topic chargers.registry.v1            3 cleanup.policy=compact min.compaction.lag.ms=0
topic chargers.registry.v1.dlq        1 retention.ms=-1
topic chargers.status.v1             12 cleanup.policy=compact min.compaction.lag.ms=0
topic chargers.status.v1.dlq          1 retention.ms=-1

"$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --list
