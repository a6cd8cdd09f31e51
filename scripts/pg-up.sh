#!/usr/bin/env bash
# Idempotent: a local PostgreSQL for the tests' PostgreSQL variants (TEST_PG_URL). Installs Debian's
# `postgresql` when missing (apt-get update only then), starts a cluster with Debian's tools (the
# first one pg_lsclusters lists; creates `<ver>/main` when there is none), creates the role
# novadock_test (CREATEDB: every test run makes databases of its own) and its database, and prints
# the URL on stdout, its only output there: TEST_PG_URL=$(bash scripts/pg-up.sh).
# Loopback only: a cluster this script starts listens on localhost whatever its configuration says,
# and the URL goes to 127.0.0.1. A cluster it did not create is only ever started, never stopped or
# reconfigured (the override lives in that one start's options, not in its files).
set -euo pipefail
ROLE=${PG_TEST_ROLE:-novadock_test}
DB=${PG_TEST_DB:-novadock_test}
# The role's password: made once, kept here, so that concurrent runs never change it under each other.
PWFILE=${PG_TEST_PWFILE:-/var/lib/postgresql/novadock-test.password}
START_TIMEOUT=${PG_START_TIMEOUT:-30}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
log() { echo "pg-up: $*" >&2; }

# 1) packages; a fresh install must not start a server with default flags behind our back
if ! command -v pg_lsclusters >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null; as_root chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  log "installing postgresql"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  [ $made_policy = 1 ] && as_root rm -f /usr/sbin/policy-rc.d
fi

# 2) a cluster: the first listed, or a new <newest version>/main bound to localhost
cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  log "creating cluster $ver/main"
  as_root pg_createcluster "$ver" main >/dev/null
  as_root pg_conftool "$ver" main set listen_addresses localhost
  cluster=$(pg_lsclusters -h | head -n 1)
fi
read -r ver name port status _ <<<"$cluster"
if [ "${status%%,*}" != online ]; then
  log "starting cluster $ver/$name on port $port (localhost only)"
  as_root install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  # exit 2: somebody else started it meanwhile, which is just as good
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start -- -o "-c listen_addresses=localhost" >&2 || [ $? = 2 ]
fi
deadline=$((SECONDS + START_TIMEOUT))
until as_postgres pg_isready -q -h /var/run/postgresql -p "$port"; do
  if [ $SECONDS -ge $deadline ]; then log "cluster $ver/$name not ready within ${START_TIMEOUT}s"; exit 1; fi
  sleep 0.2
done
listen=$(as_postgres psql -h /var/run/postgresql -p "$port" -XAtqc 'show listen_addresses')
case "$listen" in
  localhost|127.0.0.1|::1|'127.0.0.1,::1'|'::1,127.0.0.1') ;;
  *) log "warning: cluster $ver/$name (started before this script) listens on '$listen', not loopback only" ;;
esac

# 3) role and database; the password is made once and kept
if ! as_root test -s "$PWFILE"; then
  as_root install -d -m 0755 "$(dirname "$PWFILE")"
  head -c 18 /dev/urandom | base64 | tr '+/' '-_' | as_root tee "$PWFILE" >/dev/null
  as_root chmod 0600 "$PWFILE"
fi
pw=$(as_root cat "$PWFILE")
psql_admin() { as_postgres psql -h /var/run/postgresql -p "$port" -X -q -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_admin -Atc "select 1 from pg_roles where rolname = '$ROLE'")" != 1 ]; then
  log "creating role $ROLE"
  psql_admin -c "create role $ROLE login createdb password '$pw'" >/dev/null
elif ! PGPASSWORD=$pw psql -h 127.0.0.1 -p "$port" -U "$ROLE" -d postgres -XAtqc 'select 1' >/dev/null 2>&1; then
  log "resetting the password of role $ROLE"   # the password file was lost, or the role predates it
  psql_admin -c "alter role $ROLE login createdb password '$pw'" >/dev/null
fi
# Each test run drops its own databases `with (force)`, which must also end an autovacuum worker
# that happens to be busy there: that takes pg_signal_backend (no-op when already granted).
psql_admin -c "grant pg_signal_backend to $ROLE" >/dev/null 2>&1 || log "warning: could not grant pg_signal_backend to $ROLE"
if [ "$(psql_admin -Atc "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
  log "creating database $DB"
  psql_admin -c "create database $DB owner $ROLE" >/dev/null
fi

url="postgres://$ROLE:$pw@127.0.0.1:$port/$DB"
PGPASSWORD=$pw psql -h 127.0.0.1 -p "$port" -U "$ROLE" -d "$DB" -XAtqc 'select 1' >/dev/null
log "ready: cluster $ver/$name on 127.0.0.1:$port, database $DB"
echo "$url"
