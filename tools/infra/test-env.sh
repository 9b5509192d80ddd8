# Sourced by tools/test.sh and the benchmark: prepares real PostgreSQL and Kafka for
# Testcontainers, in one of two worlds chosen by the environment:
#   LEDGER_LOCAL_IMAGES=1  images built here from Debian packages and Maven Central, host
#                          networking (machines that reach no container registry, like CI)
#   LEDGER_LOCAL_IMAGES=0  official images pulled by Testcontainers (a laptop with Docker)
#   unset                  0 when a Docker engine of your own already answers, else 1: the
#                          engine is then started (tools/infra/docker-engine.sh) and the images
#                          built (tools/infra/build-images.sh; cached, ~90 s the first time; and
#                          tools/infra/build-compose-images.sh, ~30 s more).
_ours() { pgrep -af dockerd 2>/dev/null | grep -q -- '--bridge=none'; } # the engine tools/infra starts
if [[ -z ${LEDGER_LOCAL_IMAGES:-} ]]; then
  if docker info >/dev/null 2>&1 && ! _ours; then LEDGER_LOCAL_IMAGES=0; else LEDGER_LOCAL_IMAGES=1; fi
fi
export LEDGER_LOCAL_IMAGES
if [[ $LEDGER_LOCAL_IMAGES == 1 ]]; then
  export TESTCONTAINERS_HOST_OVERRIDE=${TESTCONTAINERS_HOST_OVERRIDE:-127.0.0.1}
  export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
  export LEDGER_DOCKER_STORAGE_DRIVER=${LEDGER_DOCKER_STORAGE_DRIVER:-auto}
  bash tools/infra/docker-engine.sh
  bash tools/infra/build-images.sh
  # Stand-ins for the Dockerfile's and docker-compose.yml's images (the Docker deployment e2e test).
  bash tools/infra/build-compose-images.sh
fi
echo "[test-env] integration images: $([[ $LEDGER_LOCAL_IMAGES == 1 ]] && echo 'built locally' || echo 'official, pulled by Testcontainers')"
