#!/usr/bin/env bash
# `npm test`, the README's test command: lint (with Nx module boundaries), typecheck, build,
# docker-compose.yml validation, then every tier of tests. Integration and e2e tests run on
# real PostgreSQL and Kafka through Testcontainers (see tools/infra/test-env.sh for how).
set -euo pipefail
cd "$(dirname "$0")/.."

npm run lint
npm run typecheck
npm run build

# shellcheck source=infra/test-env.sh
source tools/infra/test-env.sh

# docker-compose.yml must stay valid (the images it names cannot be pulled here, so: config only).
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q
else
  if ! command -v docker-compose >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
  fi
  docker-compose -f docker-compose.yml config -q
fi
echo "[test] docker-compose.yml is valid"

# The console's browser tests drive Debian's Chromium (playwright-core never downloads a browser here).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -x /usr/bin/chromium && $(id -u) -eq 0 ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
fi

exec vitest run "$@"
