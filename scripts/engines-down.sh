#!/usr/bin/env bash
# Stops the engines scripts/engines-up.sh started, each by the PID in its pidfile, after removing
# their containers and networks; then undoes their mounts and removes their directories.
set -euo pipefail
DIR=${ENGINES_DIR:-/tmp/novadock-engines}
[ -d "$DIR" ] || exit 0
for d in "$DIR"/*/; do
  d=${d%/}; i=$(basename "$d"); sock="$DIR/$i.sock"
  if curl -sf -m 2 --unix-socket "$sock" http://docker/_ping >/dev/null 2>&1; then
    docker -H "unix://$sock" ps -aq | xargs -r docker -H "unix://$sock" rm -f >/dev/null || true
    docker -H "unix://$sock" network ls -q --filter type=custom | xargs -r docker -H "unix://$sock" network rm >/dev/null 2>&1 || true
  fi
  if [ -f "$d/docker.pid" ]; then
    pid=$(cat "$d/docker.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  for m in "$d/exec/netns/default" "$d/root"; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$d" "$sock"
  for c in /sys/fs/cgroup/*/novadock-engine-"$i"; do [ -d "$c" ] && rmdir "$c" 2>/dev/null || true; done
done
rmdir "$DIR" 2>/dev/null || true
