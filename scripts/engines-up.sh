#!/usr/bin/env bash
# Starts ENGINES (default 3) extra Docker Engines on this machine, as simulated compute hosts
# (docs docker-here.md §6): each its own data/exec roots, pidfile, socket, cgroup parent, config
# file and address pool inside 198.18.0.0/16 (198.18.96.0/21, .104.0/21, .112.0/21, …), no
# docker0, no iptables, no forwarding. Idempotent: an engine that answers is left alone.
# Prints the engines' URLs, one per line, on stdout (its only output there). Stop them with
# scripts/engines-down.sh (by their PIDs).
set -euo pipefail
N=${ENGINES:-3}
DIR=${ENGINES_DIR:-/tmp/novadock-engines}
PING_TIMEOUT=${PING_TIMEOUT:-30}
[ "$N" -ge 1 ] && [ "$N" -le 8 ] || { echo "engines-up: ENGINES must be 1..8" >&2; exit 2; }
command -v dockerd >/dev/null 2>&1 || bash "$(dirname "$0")/docker-up.sh" >&2   # installs Docker (and starts the main engine)
ping_ok() { curl -sf -m 2 --unix-socket "$1" http://docker/_ping >/dev/null 2>&1; }
for i in $(seq 1 "$N"); do
  d="$DIR/$i"; sock="$DIR/$i.sock"
  mkdir -p "$d/root" "$d/exec"
  if ! ping_ok "$sock"; then
    if [ -f "$d/docker.pid" ] && ! kill -0 "$(cat "$d/docker.pid")" 2>/dev/null; then rm -f "$d/docker.pid"; fi
    [ -f "$d/daemon.json" ] || echo '{}' > "$d/daemon.json"
    if [ ! -f "$d/docker.pid" ]; then
      nohup dockerd --data-root "$d/root" --exec-root "$d/exec" --pidfile "$d/docker.pid" -H "unix://$sock" \
        --config-file "$d/daemon.json" --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
        --storage-driver=overlay2 --cgroup-parent="/novadock-engine-$i" --dns 127.0.0.1 \
        --default-address-pool "base=198.18.$((88 + 8 * i)).0/21,size=24" \
        --log-opt max-size=10m --log-opt max-file=2 >>"$d/dockerd.log" 2>&1 </dev/null &
    fi
  fi
done
for i in $(seq 1 "$N"); do
  sock="$DIR/$i.sock"; deadline=$((SECONDS + PING_TIMEOUT))
  until ping_ok "$sock"; do
    if [ $SECONDS -ge $deadline ]; then echo "engines-up: engine $i: no /_ping within ${PING_TIMEOUT}s" >&2; tail -n 20 "$DIR/$i/dockerd.log" >&2; exit 1; fi
    sleep 0.1
  done
  echo "unix://$sock"
done
