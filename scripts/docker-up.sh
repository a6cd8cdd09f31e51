#!/usr/bin/env bash
# Idempotent: installs Debian's Docker Engine and busybox-static when missing, starts dockerd in the
# background with sandbox-safe flags (overlay2, no iptables, no IP forwarding, no default bridge,
# address pool 198.18.0.0/16, DNS 127.0.0.1, live-restore), waits for /_ping, and builds the busybox
# test image. Safe to run again: a daemon that answers is left alone.
set -euo pipefail
SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
PIDFILE=${DOCKER_PIDFILE:-/var/run/docker.pid}
DATA_ROOT=${DOCKER_DATA_ROOT:-/var/lib/docker}
EXEC_ROOT=${DOCKER_EXEC_ROOT:-/var/run/docker}
LOG=${DOCKERD_LOG:-/tmp/novadock-dockerd.log}
ADDR_POOL=${DOCKER_ADDR_POOL:-198.18.0.0/16}   # RFC 2544 benchmarking range: not RFC 1918, clear of this host's networks
TEST_IMAGE=${TEST_IMAGE:-novadock-test/busybox:latest}
PING_TIMEOUT=${PING_TIMEOUT:-60}
export DOCKER_HOST="unix://$SOCK"

ping_ok() { curl -sf -m 2 --unix-socket "$SOCK" http://docker/_ping >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1) packages
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)   # static: it runs inside the test image
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then   # keep the package from starting a dockerd with default flags
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null; as_root chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  echo "docker-up: installing ${need[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ $made_policy = 1 ] && as_root rm -f /usr/sbin/policy-rc.d
fi

# 2) network safety: nothing addressed to the container pool may leave the machine
as_root sysctl -qw net.ipv4.ip_forward=0 || true
if ! ip rule show 2>/dev/null | grep -q "to $ADDR_POOL lookup main suppress_prefixlength 0"; then
  as_root ip rule add to "$ADDR_POOL" lookup main suppress_prefixlength 0 priority 100 || true
  as_root ip rule add to "$ADDR_POOL" unreachable priority 101 || true
fi

# 3) daemon
if ! ping_ok; then
  if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then as_root rm -f "$PIDFILE"; fi   # stale after kill -9
  if [ ! -f "$PIDFILE" ]; then
    driver=overlay2; grep -qw overlay /proc/filesystems || driver=vfs
    as_root nohup dockerd -H "unix://$SOCK" --pidfile "$PIDFILE" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
      --storage-driver="$driver" --iptables=false --ip-masq=false --ip-forward=false --bridge=none \
      --default-address-pool "base=$ADDR_POOL,size=24" --dns 127.0.0.1 --live-restore \
      --log-opt max-size=10m --log-opt max-file=2 >>"$LOG" 2>&1 </dev/null &
  fi
  deadline=$((SECONDS + PING_TIMEOUT))
  until ping_ok; do
    if [ $SECONDS -ge $deadline ]; then echo "docker-up: dockerd did not answer /_ping within ${PING_TIMEOUT}s" >&2; tail -n 20 "$LOG" >&2; exit 1; fi
    sleep 0.1
  done
fi

# 4) test image: a busybox-static root filesystem, imported (no registry needed)
TEST_IMAGE=$TEST_IMAGE bash "$(dirname "$0")/busybox-image.sh" "$TEST_IMAGE"
echo "docker-up: ready on $SOCK ($(docker info --format '{{.Driver}}' 2>/dev/null), test image $TEST_IMAGE)"
