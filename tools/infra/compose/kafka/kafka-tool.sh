#!/bin/bash
# The Kafka command-line tools of the stand-in for apache/kafka (installed as
# /opt/kafka/bin/kafka-topics.sh etc., each a link to this script): the tool is picked by
# the name it is called by, as in the distribution's bin/ directory.
set -euo pipefail
case "$(basename "$0")" in
  kafka-topics.sh) main=org.apache.kafka.tools.TopicCommand ;;
  kafka-consumer-groups.sh) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-get-offsets.sh) main=org.apache.kafka.tools.GetOffsetShell ;;
  kafka-storage.sh) main=kafka.tools.StorageTool ;;
  *) echo "kafka-tool: unknown tool $(basename "$0")" >&2; exit 2 ;;
esac
# Tools log warnings to stderr only, and need no large heap.
exec java -Xmx256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
  "-Dlog4j.configuration=file:/opt/kafka/config/tools-log4j.properties" \
  -cp '/opt/kafka/libs/*:/opt/kafka/tools-libs/*' "$main" "$@"
