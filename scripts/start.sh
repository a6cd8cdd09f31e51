#!/usr/bin/env bash
# Runs the service on 127.0.0.1:8774 against the local Docker Engine (SQLite in ./data), doing
# all set-up first: Node dependencies, a running Docker Engine with a `busybox` image, and the build (dist/ is rebuilt
# when any source is newer). The server itself is plain `node dist/server.js`: no transpiler runs
# in production.
set -euo pipefail
cd "$(dirname "$0")/.."
# a symlinked node_modules (a worktree sharing another checkout's) is left alone: npm ci would empty it
[ -L node_modules ] || { [ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ]; } ||
  npm ci --no-audit --no-fund
if [ "${NOVADOCK_COMPUTE_DRIVER:-docker}" = docker ] && [ -z "${DOCKER_HOST:-}" ]; then bash scripts/docker-up.sh; fi
# The README's quick start saves `busybox` into glance: on a fresh machine (no registry reachable)
# the engine has none, so provide one (the test image's busybox, tagged or imported) when missing.
if [ "${NOVADOCK_COMPUTE_DRIVER:-docker}" = docker ]; then
  bash scripts/busybox-image.sh busybox:latest || echo "start: no busybox image for the quick start" >&2
fi
bash scripts/build.sh
# glibc keeps allocations of 128 KiB and more (large list bodies) in mappings it returns on free,
# instead of a main heap that never shrinks (docs/operations.md, "Memory").
export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
exec node dist/server.js
