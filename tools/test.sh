#!/usr/bin/env bash
# `npm test`, the README's test command: lint (with Nx module boundaries), typecheck, build,
# then every tier of tests. Integration and e2e tests run on real PostgreSQL and Kafka
# through Testcontainers, in one of two worlds, chosen by the environment:
#   LEDGER_LOCAL_IMAGES=1  images built here from Debian packages and Maven Central, host
#                          networking (machines that reach no container registry, like CI)
#   LEDGER_LOCAL_IMAGES=0  official images pulled by Testcontainers (a laptop with Docker)
#   unset                  0 when a Docker engine of your own already answers, else 1: this
#                          script then starts one (tools/infra/docker-engine.sh) and builds
#                          the images (tools/infra/build-images.sh; cached, ~90 s the first time).
set -euo pipefail
cd "$(dirname "$0")/.."

npm run lint
npm run typecheck
npm run build

ours() { pgrep -af dockerd 2>/dev/null | grep -q -- '--bridge=none'; } # the engine tools/infra starts
if [[ -z ${LEDGER_LOCAL_IMAGES:-} ]]; then
  if docker info >/dev/null 2>&1 && ! ours; then LEDGER_LOCAL_IMAGES=0; else LEDGER_LOCAL_IMAGES=1; fi
fi
export LEDGER_LOCAL_IMAGES
if [[ $LEDGER_LOCAL_IMAGES == 1 ]]; then
  export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}
  export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
  export LEDGER_DOCKER_STORAGE_DRIVER=${LEDGER_DOCKER_STORAGE_DRIVER:-auto}
  bash tools/infra/docker-engine.sh
  bash tools/infra/build-images.sh
fi
echo "[test] integration images: $([[ $LEDGER_LOCAL_IMAGES == 1 ]] && echo 'built locally' || echo 'official, pulled by Testcontainers')"
exec vitest run "$@"
