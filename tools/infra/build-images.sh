#!/usr/bin/env bash
# Build the two local container images the integration tests use where no container
# registry can be reached (the CI machine, our dev VMs):
#
#   pos-ledger/postgres:15   Debian bookworm (minbase) + postgresql-15
#   pos-ledger/kafka:3.9     Debian bookworm (minbase) + openjdk-17-jre-headless
#                            + the Apache Kafka 3.9.x broker jars from Maven Central
#
# Nothing is pulled: a root filesystem is made with debootstrap from Debian's archive (once,
# cached as a tarball and shared by both images), packages are installed into a copy of it
# with chroot + apt-get, and the result becomes an image with `tar | docker import`.
#
# Idempotent: an image is built only when its tag is missing or was built from another
# recipe (the label pos-ledger.recipe holds a hash of this script and the image's files under
# tools/infra/). Needs root and a running engine (tools/infra/docker-engine.sh).
#
#   tools/infra/build-images.sh [postgres] [kafka]      (default: both)
#
# Environment:
#   LEDGER_CACHE_DIR          cache dir (default ~/.cache/pos-ledger): base rootfs tarball,
#                             .deb cache, Kafka jars
#   LEDGER_POSTGRES_IMAGE     tag (default pos-ledger/postgres:15)
#   LEDGER_KAFKA_IMAGE        tag (default pos-ledger/kafka:3.9)
#   LEDGER_IMAGES_REBUILD=1   rebuild even when the tags are up to date
#   LEDGER_DEBIAN_MIRROR      default http://deb.debian.org/debian
#   LEDGER_DEBIAN_SECURITY    default http://deb.debian.org/debian-security
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${LEDGER_CACHE_DIR:-$HOME/.cache/pos-ledger}"
pg_tag="${LEDGER_POSTGRES_IMAGE:-pos-ledger/postgres:15}"
kafka_tag="${LEDGER_KAFKA_IMAGE:-pos-ledger/kafka:3.9}"
mirror="${LEDGER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${LEDGER_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}"
suite=bookworm
base_version=1 # bump to force a new base rootfs

log() { printf '[build-images %4ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot, mount)"
docker info >/dev/null 2>&1 || die "no Docker engine answers: run tools/infra/docker-engine.sh first"
command -v debootstrap >/dev/null || die "debootstrap missing: run tools/infra/docker-engine.sh first"

want=("$@")
((${#want[@]})) || want=(postgres kafka)

mkdir -p "$cache"
# One build at a time on a machine (two test runs may call this at once).
exec 9>"$cache/build-images.lock"
flock 9
# Leftovers of a build that was killed (its mounts first, never deleting through them).
for stale in "$cache"/build.*; do
  [[ -d "$stale" ]] || continue
  grep -o " $stale/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  grep -q " $stale/" /proc/mounts || rm -rf "$stale"
done
work="$(mktemp -d "$cache/build.XXXXXX")"
mounts=()
cleanup() {
  local m
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    m="${mounts[i]}"
    if mountpoint -q "$m"; then umount "$m" || true; fi
  done
  # Never delete through a mount that is still there (the .deb cache is bind-mounted).
  if ! grep -q " $work/" /proc/mounts; then rm -rf "$work"; else log "left $work (still mounted)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

recipe_hash() { # files... -> short hash of their contents (and of this script)
  cat "${BASH_SOURCE[0]}" "$@" | sha256sum | cut -c1-16
}

image_up_to_date() { # tag hash
  [[ "${LEDGER_IMAGES_REBUILD:-0}" != 1 ]] || return 1
  local have
  have="$(docker image inspect --format '{{ index .Config.Labels "pos-ledger.recipe" }}' "$1" 2>/dev/null)" || return 1
  [[ "$have" == "$2" ]]
}

# --- the shared base root filesystem --------------------------------------------------
base_tar="$cache/rootfs/$suite-minbase-v$base_version.tar"
ensure_base() {
  [[ -s "$base_tar" ]] && { log "base rootfs: cached $base_tar"; return; }
  local t=$SECONDS root="$work/base"
  mkdir -p "$cache/rootfs" "$cache/debs"
  log "base rootfs: debootstrap --variant=minbase $suite (debs cached in $cache/debs)"
  debootstrap --variant=minbase --cache-dir="$cache/debs" "$suite" "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

  cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
  # Services must not start inside the chroot while packages install.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  cat >"$root/etc/apt/apt.conf.d/90pos-ledger" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Dpkg::Use-Pty "false";
APT
  # Smaller images: no docs, man pages or translations (as Debian's "slim" images).
  cat >"$root/etc/dpkg/dpkg.cfg.d/90pos-ledger-excludes" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
DPKG
  rm -rf "$root"/usr/share/doc/*/[!c]* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  tar -C "$root" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
  rm -rf "$root"
  log "base rootfs: built in $((SECONDS - t)) s, $(du -h "$base_tar" | cut -f1)"
}

# --- one image from a copy of the base ------------------------------------------------
# build_image TAG HASH PREPARE_FN "PACKAGES" FINISH_FN CHANGES...
build_image() {
  local tag="$1" hash="$2" prepare="$3" packages="$4" finish="$5"
  shift 5
  local t=$SECONDS root="$work/${tag//[\/:]/_}"
  ensure_base
  log "$tag: unpacking base rootfs"
  mkdir -p "$root" "$cache/debs" "$cache/logs"
  tar -C "$root" -xf "$base_tar"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  mounts+=("$root/proc")
  mount --bind "$cache/debs" "$root/var/cache/apt/archives"
  mounts+=("$root/var/cache/apt/archives")
  "$prepare" "$root"
  log "$tag: apt-get install $packages"
  local pkgs
  read -ra pkgs <<<"$packages"
  {
    chroot "$root" apt-get update -qq &&
      chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"
  } >"$cache/logs/${tag//[\/:]/_}-apt.log" 2>&1 ||
    { tail -n 30 "$cache/logs/${tag//[\/:]/_}-apt.log" >&2; die "$tag: apt-get failed"; }
  "$finish" "$root"
  umount "$root/var/cache/apt/archives" "$root/proc"
  mounts=()
  # Every MB counts: with the vfs storage driver each container start copies the whole image.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
    "$root"/var/log/apt/* "$root"/var/cache/debconf/*-old "$root"/tmp/* "$root"/root/.cache
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  : >"$root/etc/resolv.conf"
  log "$tag: docker import ($(du -sh "$root" | cut -f1))"
  local previous
  previous="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
  tar -C "$root" -c . | docker import "$@" --change "LABEL pos-ledger.recipe=$hash" \
    -m "tools/infra/build-images.sh" - "$tag" >/dev/null
  rm -rf "$root"
  # The image this one replaces, unless a container still uses it.
  [[ -z "$previous" ]] || docker image rm "$previous" >/dev/null 2>&1 || true
  log "$tag: built in $((SECONDS - t)) s, $(docker image inspect --format '{{.Size}}' "$tag" | numfmt --to=iec)"
}

# --- pos-ledger/postgres:15 -------------------------------------------------------------
pg_prepare() {
  # No "main" cluster at install time: the start script runs initdb in the container.
  mkdir -p "$1/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' >"$1/etc/postgresql-common/createcluster.d/90-pos-ledger.conf"
}
pg_finish() {
  install -m 0755 "$here/postgres/start-postgres.sh" "$1/usr/local/bin/start-postgres"
  # Slimmer (with vfs every container start copies the whole image), about 200 MB less:
  # - no JIT: the start script sets jit=off, and without its provider PostgreSQL has no JIT;
  # - no perl: only postgresql-common's wrappers (pg_ctlcluster, the psql wrapper) use it;
  #   the image runs the binaries of /usr/lib/postgresql/15/bin directly;
  # - no locale sources: PostgreSQL runs in C.UTF-8, which libc has built in.
  chroot "$1" dpkg --remove --force-depends libllvm14 libz3-4 perl perl-modules-5.36 libperl5.36 \
    >/dev/null 2>&1
  rm -rf "$1"/usr/lib/postgresql/15/lib/llvmjit*.so "$1"/usr/lib/postgresql/15/lib/bitcode \
    "$1"/usr/share/i18n/locales "$1"/usr/share/i18n/charmaps
  chroot "$1" install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
}
build_postgres() {
  local hash
  hash="$(recipe_hash "$here"/postgres/*)"
  if image_up_to_date "$pg_tag" "$hash"; then log "$pg_tag: up to date ($hash)"; return; fi
  build_image "$pg_tag" "$hash" pg_prepare "postgresql-15" pg_finish \
    --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'USER postgres' \
    --change 'WORKDIR /var/lib/postgresql' \
    --change 'CMD ["/usr/local/bin/start-postgres"]'
}

# --- pos-ledger/kafka:3.9 ---------------------------------------------------------------
kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml"; }
kafka_libs() { # -> prints the cached jar dir, resolving it with Maven when missing
  local dir
  dir="$cache/kafka-libs/$(kafka_version)-$(sha256sum <"$here/kafka/pom.xml" | cut -c1-8)"
  if [[ ! -f "$dir/.complete" ]]; then
    local t=$SECONDS
    log "kafka jars: mvn dependency:copy-dependencies -> $dir"
    rm -rf "$dir"
    mkdir -p "$cache/logs"
    mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir" \
      >"$cache/logs/kafka-mvn.log" 2>&1 ||
      { tail -n 30 "$cache/logs/kafka-mvn.log" >&2; die "maven could not resolve the Kafka broker"; }
    touch "$dir/.complete"
    log "kafka jars: $(find "$dir" -name '*.jar' | wc -l) jars, $(du -sh "$dir" | cut -f1), in $((SECONDS - t)) s"
  fi
  echo "$dir"
}
kafka_prepare() {
  # openjdk's postinst registers man pages with update-alternatives and fails without this
  # directory (the base rootfs excludes man pages).
  mkdir -p "$1/usr/share/man/man1"
}
kafka_finish() {
  local root="$1"
  install -d "$root/opt/kafka/libs" "$root/opt/kafka/bin" "$root/opt/kafka/config"
  cp "$KAFKA_LIBS"/*.jar "$root/opt/kafka/libs/"
  install -m 0644 "$here/kafka/log4j.properties" "$root/opt/kafka/config/log4j.properties"
  install -m 0755 "$here/kafka/start-kafka.sh" "$root/opt/kafka/bin/start-kafka"
  chroot "$root" useradd --system --no-create-home --home-dir /var/lib/kafka --shell /usr/sbin/nologin kafka
  chroot "$root" install -d -o kafka -g kafka -m 0755 /var/lib/kafka
  kafka_cds_archive "$root"
}

# A class-data-sharing archive of what the broker loads up to "Kafka Server started": the
# start script uses it when present; it takes about a third off the broker's start (3.0 s ->
# 1.9 s measured). Made by starting the broker once in the chroot, on free loopback ports.
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    grep -qi ":$(printf '%04X' "$p") 00000000:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
  done
  echo "$p"
}
kafka_cds_archive() {
  local root="$1" t=$SECONDS out pid
  out="$cache/logs/kafka-cds.log"
  : >"$out"
  chroot "$root" env KAFKA_PORT="$(free_port)" KAFKA_CONTROLLER_PORT="$(free_port)" \
    KAFKA_DATA_DIR=/tmp/cds-data KAFKA_CONFIG=/tmp/cds-server.properties \
    KAFKA_OPTS=-XX:ArchiveClassesAtExit=/opt/kafka/kafka.jsa /opt/kafka/bin/start-kafka >"$out" 2>&1 &
  pid=$!
  until grep -q 'Kafka Server started' "$out"; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS - t > 120)); then
      kill "$pid" 2>/dev/null || true
      tail -n 20 "$out" >&2
      die "kafka: the broker did not start in the chroot (CDS archive)"
    fi
    sleep 0.2
  done
  # The JVM of the start script (exec'd, same pid) writes the archive on a normal exit.
  kill -TERM "$pid"
  wait "$pid" || true
  [[ -s "$root/opt/kafka/kafka.jsa" ]] || die "kafka: no CDS archive was written (see $out)"
  chmod 0444 "$root/opt/kafka/kafka.jsa"
  rm -rf "$root"/tmp/cds-data "$root"/tmp/cds-server.properties "$root"/tmp/hsperfdata_*
  log "kafka: CDS archive $(du -h "$root/opt/kafka/kafka.jsa" | cut -f1) in $((SECONDS - t)) s (broker smoke-started in the chroot)"
}
build_kafka() {
  local hash
  hash="$(recipe_hash "$here"/kafka/*)"
  if image_up_to_date "$kafka_tag" "$hash"; then log "$kafka_tag: up to date ($hash)"; return; fi
  KAFKA_LIBS="$(kafka_libs)"
  build_image "$kafka_tag" "$hash" kafka_prepare "openjdk-17-jre-headless" kafka_finish \
    --change 'ENV LANG=C.UTF-8' \
    --change "ENV KAFKA_VERSION=$(kafka_version)" \
    --change 'USER kafka' \
    --change 'WORKDIR /var/lib/kafka' \
    --change 'CMD ["/opt/kafka/bin/start-kafka"]'
}

for w in "${want[@]}"; do
  case "$w" in
    postgres) build_postgres ;;
    kafka) build_kafka ;;
    *) die "unknown image '$w' (postgres, kafka)" ;;
  esac
done
# Images that earlier builds replaced while a container still used them.
docker image ls -q --filter dangling=true --filter label=pos-ledger.recipe |
  xargs -r docker image rm >/dev/null 2>&1 || true
log "done: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^pos-ledger/' | tr '\n' ' ')"
