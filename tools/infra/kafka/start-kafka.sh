#!/bin/bash
# Start script of the local pos-ledger/kafka image (copied to /opt/kafka/bin/start-kafka).
# A single-node KRaft broker+controller, listening on 127.0.0.1 only (host networking: there
# is no bridge on the CI machine, so the test helper picks free ports and passes them in).
#
#   KAFKA_PORT             client listener port                  (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller listener port        (default 9093)
#   KAFKA_HOST             address to bind and advertise         (default 127.0.0.1)
#   KAFKA_DATA_DIR         log dir                               (default /var/lib/kafka/data)
#   KAFKA_CLUSTER_ID       cluster id used when formatting       (default: a fixed id)
#   KAFKA_HEAP_OPTS        JVM heap                              (default -Xms256m -Xmx1g)
#   KAFKA_NUM_PARTITIONS   default partitions of auto-created topics (default 1)
#   KAFKA_EXTRA_PROPERTIES more server.properties lines, appended last (later keys win)
#
# `start-kafka --format-only` writes the config and formats the storage, then exits.
set -euo pipefail

KAFKA_HOME=/opt/kafka
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
host="${KAFKA_HOST:-127.0.0.1}"
data="${KAFKA_DATA_DIR:-/var/lib/kafka/data}"
cluster_id="${KAFKA_CLUSTER_ID:-cG9zLWxlZGdlci10ZXN0cw}"
config="${KAFKA_CONFIG:-/var/lib/kafka/server.properties}"

mkdir -p "$data" "$(dirname "$config")"
cat >"$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${host}:${cport}
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${cport}
advertised.listeners=PLAINTEXT://${host}:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${data}
num.partitions=${KAFKA_NUM_PARTITIONS:-1}
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=${KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS:-1}
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=${KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS:-1}
group.initial.rebalance.delay.ms=0
${KAFKA_EXTRA_PROPERTIES:-}
PROPS

# KAFKA_HEAP_OPTS and KAFKA_OPTS are word lists, as in Kafka's own scripts.
# shellcheck disable=SC2206
java_opts=(
  ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}
  -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
  "-Dlog4j.configuration=file:${KAFKA_HOME}/config/log4j.properties"
)
# Class-data-sharing archive made at image build time: a faster JVM start, when present.
if [[ -f "$KAFKA_HOME/kafka.jsa" ]]; then
  java_opts+=("-XX:SharedArchiveFile=$KAFKA_HOME/kafka.jsa" -Xshare:auto)
fi
cp="$KAFKA_HOME/libs/*"

# Format the KRaft storage once (the image may ship it already formatted).
if [[ ! -f "$data/meta.properties" ]]; then
  java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$config" --ignore-formatted
fi
[[ "${1:-}" == --format-only ]] && exit 0

# shellcheck disable=SC2086
exec java "${java_opts[@]}" ${KAFKA_OPTS:-} -cp "$cp" kafka.Kafka "$config"
