#!/usr/bin/env bash
# Make sure a Docker engine answers `docker info`, for Testcontainers-based integration tests.
#
# Idempotent: if an engine already answers, it does nothing. Otherwise (Debian, as root) it
# installs Debian's docker.io (+ debootstrap, used by tools/infra/build-images.sh) when
# missing and starts dockerd in the background in the only mode this kind of machine allows:
# no iptables, no bridge (host networking only), vfs storage.
#
#   tools/infra/docker-engine.sh
#
# Environment:
#   LEDGER_CACHE_DIR           cache dir (default ~/.cache/pos-ledger); dockerd's log goes there
#   DOCKERD_START_TIMEOUT      seconds to wait for the daemon (default 60)
#   LEDGER_DOCKER_STORAGE_DRIVER
#                              vfs (default), overlay2, or auto (overlay2 when this kernel
#                              mounts overlayfs, else vfs). vfs copies the whole image at
#                              each container create (about 3 s here, per container);
#                              overlay2 takes about 20 ms. Images are kept per driver.
#
# Containers then need host networking, and Testcontainers needs
#   TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 TESTCONTAINERS_RYUK_DISABLED=true
set -euo pipefail

log() { printf '[docker-engine] %s\n' "$*" >&2; }
cache_dir="${LEDGER_CACHE_DIR:-$HOME/.cache/pos-ledger}"
timeout_s="${DOCKERD_START_TIMEOUT:-60}"
t0=$SECONDS

if docker info >/dev/null 2>&1; then
  log "engine already answering (server $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'), storage $(docker info --format '{{.Driver}}' 2>/dev/null || echo '?')); nothing to do"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  log "no engine answers and this is not root: start Docker yourself (or run this as root)"
  exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]})); then
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  # Once per call; tolerate unreachable extra sources, the Debian archive is what matters.
  apt-get update -qq || log "apt-get update reported errors; trying the install anyway"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed ${missing[*]} in $((SECONDS - t0)) s"
fi

overlay_works() { # can this kernel mount overlayfs on the data-root's file system?
  local d rc=1
  mkdir -p /var/lib/docker
  d="$(mktemp -d /var/lib/docker/.overlay-probe.XXXXXX)" || return 1
  mkdir -p "$d"/{lower,upper,work,merged}
  if mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2>/dev/null; then
    umount "$d/merged" && rc=0
  fi
  rm -rf "$d"
  return "$rc"
}

driver="${LEDGER_DOCKER_STORAGE_DRIVER:-vfs}"
if [[ "$driver" == auto ]]; then
  if overlay_works; then driver=overlay2; else driver=vfs; fi
fi

mkdir -p "$cache_dir"
logfile="$cache_dir/dockerd.log"
if pgrep -x dockerd >/dev/null 2>&1; then
  log "a dockerd process exists but does not answer yet; waiting for it"
else
  log "starting dockerd (host networking only, storage driver $driver); log: $logfile"
  # setsid + nohup: the daemon outlives this script and the CI step that called it.
  setsid nohup dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver="$driver" \
    >>"$logfile" 2>&1 </dev/null &
fi

deadline=$((SECONDS + timeout_s))
until docker info >/dev/null 2>&1; do
  if ((SECONDS >= deadline)); then
    log "dockerd did not answer within ${timeout_s} s; last log lines:"
    tail -n 30 "$logfile" >&2 || true
    exit 1
  fi
  sleep 0.5
done
log "engine up (server $(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}')) after $((SECONDS - t0)) s"
