#!/usr/bin/env bash
# Build the local stand-ins the Docker deployment's e2e test needs where no container registry
# can be reached (the CI machine, our dev VMs), so that `Dockerfile` and `docker-compose.yml`
# are built and run as they are:
#
#   node:24-bookworm-slim           the Dockerfile's base image, under its exact tag: Debian
#                                   bookworm (minbase) + this project's Node 24 (the npm `node`
#                                   package) + npm, user node (uid 1000). It trusts the host's CA
#                                   certificates (NODE_EXTRA_CA_CERTS), which `npm ci` inside
#                                   `docker build` needs on these machines; the real image needs
#                                   nothing of the kind.
#   pos-ledger/compose-postgres:15  for the compose file's postgres:15
#   pos-ledger/compose-kafka:3.9    for the compose file's apache/kafka:3.9.1
#                                   both built on the integration images (build-images.sh) with
#                                   the official images' environment contract, entrypoint and
#                                   volumes (tools/infra/compose/*/).
#
# Idempotent, as build-images.sh: an image is built only when its tag is missing or its
# pos-ledger.recipe label no longer matches. Needs root and a running engine.
#
#   tools/infra/build-compose-images.sh
#
# Environment: LEDGER_CACHE_DIR, LEDGER_IMAGES_REBUILD, LEDGER_POSTGRES_IMAGE,
# LEDGER_KAFKA_IMAGE as for build-images.sh, and
#   LEDGER_NODE_BINARY   the stand-in's Node 24 binary (default: node_modules/.bin/node)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${LEDGER_CACHE_DIR:-$HOME/.cache/pos-ledger}"
pg_tag="${LEDGER_POSTGRES_IMAGE:-pos-ledger/postgres:15}"
kafka_tag="${LEDGER_KAFKA_IMAGE:-pos-ledger/kafka:3.9}"
node_tag=node:24-bookworm-slim
compose_pg_tag=pos-ledger/compose-postgres:15
compose_kafka_tag=pos-ledger/compose-kafka:3.9
# build-images.sh's cached debootstrap root filesystem and broker jars (same names there).
base_tar="$cache/rootfs/bookworm-minbase-v1.tar"
host_ca_bundle=/etc/ssl/certs/ca-certificates.crt

log() { printf '[build-compose-images %4ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (chroot)"
docker info >/dev/null 2>&1 || die "no Docker engine answers: run tools/infra/docker-engine.sh first"

# The two integration images first (the stand-ins are built on them); they leave the base
# root filesystem and the broker jars in the cache, unless those were deleted since.
bash "$here/build-images.sh" postgres kafka
if [[ ! -s "$base_tar" ]]; then
  log "the base root filesystem is not cached: rebuilding $pg_tag, which makes it"
  LEDGER_IMAGES_REBUILD=1 bash "$here/build-images.sh" postgres
fi
# The broker's jars (build-images.sh's cache): the tools need only the jars missing there.
kafka_pom="$here/kafka/pom.xml"
kafka_libs_dir="$cache/kafka-libs/$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$kafka_pom")-$(sha256sum <"$kafka_pom" | cut -c1-8)"
mkdir -p "$cache/logs"
exec 9>"$cache/build-compose-images.lock"
flock 9
work="$(mktemp -d "$cache/build-compose.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

recipe_hash() { cat "${BASH_SOURCE[0]}" "$@" | sha256sum | cut -c1-16; } # files or - (stdin)
# The stand-in for node:24-bookworm-slim is labelled with its own key: images built FROM it
# inherit its labels, and build-images.sh deletes dangling images labelled pos-ledger.recipe,
# which would be the Dockerfile's build cache (the legacy builder's intermediate images).
node_label=pos-ledger.base-recipe
image_up_to_date() { # tag hash [label]
  [[ "${LEDGER_IMAGES_REBUILD:-0}" != 1 ]] || return 1
  local have
  have="$(docker image inspect --format "{{ index .Config.Labels \"${3:-pos-ledger.recipe}\" }}" "$1" 2>/dev/null)" || return 1
  [[ "$have" == "$2" ]]
}
replace_tag() { # tag previous-id: drops the image a rebuild replaced, unless a container uses it
  [[ -z "$2" || "$2" == "$(docker image inspect --format '{{.Id}}' "$1")" ]] || docker image rm "$2" >/dev/null 2>&1 || true
  log "$1: built in $((SECONDS - t0)) s, $(docker image inspect --format '{{.Size}}' "$1" | numfmt --to=iec)"
}

# --- node:24-bookworm-slim ----------------------------------------------------------------
build_node() {
  local bin npm hash t0=$SECONDS root="$work/node" previous
  bin="$(readlink -f "${LEDGER_NODE_BINARY:-$here/../../node_modules/.bin/node}")"
  [[ -x "$bin" ]] || die "no Node binary at $bin: run npm ci first (or set LEDGER_NODE_BINARY)"
  [[ "$("$bin" --version)" == v24.* ]] || die "$bin is Node $("$bin" --version); $node_tag needs Node 24"
  # npm is JavaScript: the one that installs this project serves (the official image ships one).
  npm="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
  hash="$({ "$bin" --version; cat "$npm/package.json" "$host_ca_bundle" 2>/dev/null; } | recipe_hash -)"
  if image_up_to_date "$node_tag" "$hash" "$node_label"; then log "$node_tag: up to date ($hash)"; return; fi
  log "$node_tag: base rootfs + Node $("$bin" --version) + npm $(sed -n 's/^ *"version": "\(.*\)".*/\1/p' "$npm/package.json" | head -n1)"
  mkdir -p "$root/usr/local/lib/node_modules"
  tar -C "$root" -xf "$base_tar"
  install -m 0755 "$bin" "$root/usr/local/bin/node"
  cp -a "$npm" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  [[ ! -s "$host_ca_bundle" ]] || install -D -m 0644 "$host_ca_bundle" "$root/etc/ssl/certs/host-ca-certificates.crt"
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --create-home --home-dir /home/node --shell /bin/bash node
  previous="$(docker image inspect --format '{{.Id}}' "$node_tag" 2>/dev/null || true)"
  tar -C "$root" -c . | docker import --change "LABEL $node_label=$hash" \
    --change "ENV NODE_VERSION=$("$bin" --version | tr -d v)" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-certificates.crt' \
    --change 'CMD ["node"]' -m "tools/infra/build-compose-images.sh: stand-in for $node_tag" - "$node_tag" >/dev/null
  rm -rf "$root"
  replace_tag "$node_tag" "$previous"
}

# --- the compose file's PostgreSQL and Kafka --------------------------------------------
# build_on TAG BASE DIR [PREPARE_CONTEXT_FN]: `docker build` of DIR's Dockerfile on BASE.
build_on() {
  local tag="$1" base="$2" dir="$3" prepare="${4:-}" hash t0=$SECONDS ctx previous
  hash="$(docker image inspect --format '{{.Id}}' "$base" | recipe_hash "$dir"/* -)"
  if image_up_to_date "$tag" "$hash"; then log "$tag: up to date ($hash)"; return; fi
  ctx="$work/context-${tag//[\/:]/_}"
  mkdir -p "$ctx"
  cp "$dir"/* "$ctx/"
  [[ -z "$prepare" ]] || "$prepare" "$ctx"
  previous="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
  docker build --network host --build-arg "BASE=$base" --label "pos-ledger.recipe=$hash" -t "$tag" "$ctx" \
    >"$cache/logs/${tag//[\/:]/_}-build.log" 2>&1 ||
    { tail -n 30 "$cache/logs/${tag//[\/:]/_}-build.log" >&2; die "$tag: docker build failed"; }
  replace_tag "$tag" "$previous"
}
kafka_tools_jars() { # CONTEXT: the tools' jars that the broker's classpath does not have
  local dir jar
  dir="$cache/kafka-tools-libs/$(sha256sum <"$here/compose/kafka/pom.xml" | cut -c1-8)"
  if [[ ! -f "$dir/.complete" ]]; then
    log "kafka tools jars: mvn dependency:copy-dependencies -> $dir"
    rm -rf "$dir"
    mvn -q -B -f "$here/compose/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir" \
      >"$cache/logs/kafka-tools-mvn.log" 2>&1 ||
      { tail -n 30 "$cache/logs/kafka-tools-mvn.log" >&2; die "maven could not resolve the Kafka tools"; }
    touch "$dir/.complete"
  fi
  mkdir -p "$1/tools-libs"
  # (all of them when that cache is gone: the same jars twice on a classpath do no harm)
  for jar in "$dir"/*.jar; do [[ -e "$kafka_libs_dir/$(basename "$jar")" ]] || cp "$jar" "$1/tools-libs/"; done
}

build_node
build_on "$compose_pg_tag" "$pg_tag" "$here/compose/postgres"
build_on "$compose_kafka_tag" "$kafka_tag" "$here/compose/kafka" kafka_tools_jars
log "done: $node_tag $compose_pg_tag $compose_kafka_tag"
