#!/usr/bin/env bash
# Stops the dockerd that docker-up.sh started, by the PID in its pidfile, after removing this
# project's containers (live-restore would keep them running).
set -euo pipefail
SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
PIDFILE=${DOCKER_PIDFILE:-/var/run/docker.pid}
export DOCKER_HOST="unix://$SOCK"
[ -f "$PIDFILE" ] || { echo "docker-down: no pidfile at $PIDFILE"; exit 0; }
pid=$(cat "$PIDFILE")
docker ps -aq --filter label=io.novadock.managed-by=novadock | xargs -r docker rm -f >/dev/null || true
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || { echo "docker-down: stopped dockerd $pid"; exit 0; }; sleep 0.1; done
echo "docker-down: dockerd $pid still running after 10 s" >&2; exit 1
