#!/usr/bin/env bash
# The whole test suite, with all set-up: Node dependencies, a running Docker Engine with the test
# image, the OpenStack CLIs and the third-party clients (fog-openstack, gophercloud, Libcloud,
# Tempest) for the client tests, a local PostgreSQL for the PostgreSQL variants (TEST_PG_URL; one
# given in the environment is used as it is). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
# a symlinked node_modules (a worktree sharing another checkout's) is left alone: npm ci would empty it
[ -L node_modules ] || { [ -d node_modules/.bin ] && [ node_modules/.package-lock.json -nt package-lock.json ]; } ||
  npm ci --no-audit --no-fund
bash scripts/docker-up.sh
bash scripts/clients-up.sh
bash scripts/compat-clients-up.sh   # fog-openstack, gophercloud, Libcloud, Tempest (test/clients/compat-*)
TEST_PG_URL=${TEST_PG_URL:-$(bash scripts/pg-up.sh)}   # a plain assignment: a pg-up failure stops here
export TEST_PG_URL
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
export NOVADOCK_REQUIRE_DOCKER=1
bash scripts/build.sh   # the reliability suite runs the production artifact, dist/server.js
exec npx vitest run "$@"
