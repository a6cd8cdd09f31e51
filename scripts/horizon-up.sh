#!/usr/bin/env bash
# Runs the real, unmodified OpenStack Horizon (Debian's openstack-dashboard, Horizon 23) against a
# novadock service, on loopback, in one command:
#
#   scripts/horizon-up.sh [NOVADOCK_URL]     start (default URL: $NOVADOCK_URL or http://127.0.0.1:8774)
#   scripts/horizon-up.sh stop               stop the Horizon this script started on $HORIZON_PORT (by PID)
#
# Environment: HORIZON_PORT (default 8080), HORIZON_HOST (default 127.0.0.1), HORIZON_RUN_DIR (default
# /tmp/novadock-horizon-$HORIZON_PORT: pid file, log, session files), HORIZON_PROCESSES (default 2),
# HORIZON_DEBUG_LOG=1 to log every API request Horizon makes (keystoneauth's REQ/RESP lines).
#
# Idempotent: installs Debian's openstack-dashboard and uWSGI when missing; a Horizon already answering
# on the port from this run dir is left alone. It only sets Horizon's documented settings, in a snippet
# Debian's settings read (/etc/openstack-dashboard/local_settings.d/_9000_novadock.py) that is inert
# unless the process was started by this script: a Horizon served another way on this machine is not
# changed, and several of ours (different ports, different novadock URLs) can run side by side.
# uWSGI serves the static files that Debian's package compressed offline (/var/lib/openstack-dashboard/static).
set -euo pipefail
PORT=${HORIZON_PORT:-8080}
HOST=${HORIZON_HOST:-127.0.0.1}
RUN_DIR=${HORIZON_RUN_DIR:-/tmp/novadock-horizon-$PORT}
PIDFILE=$RUN_DIR/uwsgi.pid
LOG=$RUN_DIR/horizon.log
SNIPPET=/etc/openstack-dashboard/local_settings.d/_9000_novadock.py
STATIC=/var/lib/openstack-dashboard/static
WAIT_S=${HORIZON_WAIT_S:-120}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
running_pid() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && cat "$PIDFILE"; }

stop() {
  local pid
  if ! pid=$(running_pid); then echo "horizon-up: nothing running from $RUN_DIR" >&2; rm -f "$PIDFILE"; return 0; fi
  kill -TERM "$pid"   # --die-on-term: the uWSGI master stops its workers and exits
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; echo "horizon-up: stopped $pid" >&2; return 0; }; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  echo "horizon-up: killed $pid" >&2
}

if [ "${1:-}" = stop ]; then stop; exit 0; fi

NOVADOCK=${1:-${NOVADOCK_URL:-http://127.0.0.1:8774}}
NOVADOCK=${NOVADOCK%/}
URL="http://$HOST:$PORT"

# 1) packages: Horizon and a WSGI server that also serves the static files
need=()
[ -f /usr/share/openstack-dashboard/wsgi.py ] || need+=(openstack-dashboard)
command -v uwsgi >/dev/null 2>&1 || need+=(uwsgi-core)
[ -f /usr/lib/uwsgi/plugins/python3_plugin.so ] || need+=(uwsgi-plugin-python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "horizon-up: installing ${need[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# 2) the settings snippet (documented Horizon/Django settings only; values come from the environment
#    uWSGI is started with, below)
snippet=$(cat <<'PY'
# Written by novadock's scripts/horizon-up.sh (regenerated on every start; do not edit).
# Horizon's documented settings for a novadock service. Inert unless the process has
# NOVADOCK_HORIZON_KEYSTONE_URL, which only the uWSGI started by horizon-up.sh has.
if os.environ.get('NOVADOCK_HORIZON_KEYSTONE_URL'):
    OPENSTACK_KEYSTONE_URL = os.environ['NOVADOCK_HORIZON_KEYSTONE_URL']
    ALLOWED_HOSTS = ['127.0.0.1', 'localhost', os.environ.get('NOVADOCK_HORIZON_HOST', '127.0.0.1')]
    # Several uWSGI workers share the sessions through files in the run dir (the default
    # local-memory cache is per process).
    SESSION_ENGINE = 'django.contrib.sessions.backends.file'
    SESSION_FILE_PATH = os.environ['NOVADOCK_HORIZON_SESSION_DIR']
    OPENSTACK_KEYSTONE_DEFAULT_DOMAIN = 'Default'
    OPENSTACK_KEYSTONE_DEFAULT_ROLE = 'member'
    TIME_ZONE = 'UTC'
    # The network service's networks are ML2's `local` type (a bridge on each engine): the admin
    # Create Network form offers only that type.
    OPENSTACK_NEUTRON_NETWORK = dict(OPENSTACK_NEUTRON_NETWORK, supported_provider_types=['local'])
    if os.environ.get('NOVADOCK_HORIZON_DEBUG_LOG') == '1':
        LOGGING['handlers']['console']['level'] = 'DEBUG'
    LOGGING['loggers']['django.request'] = {'handlers': ['console'], 'level': 'INFO', 'propagate': False}
PY
)
if [ ! -f "$SNIPPET" ] || [ "$(cat "$SNIPPET")" != "$snippet" ]; then
  printf '%s\n' "$snippet" | as_root tee "$SNIPPET" >/dev/null
fi

# 3) start (unless ours already answers)
mkdir -p "$RUN_DIR/sessions"
if pid=$(running_pid); then
  if curl -sf -m 5 "$URL/auth/login/" >/dev/null; then echo "$URL"; exit 0; fi
  stop
fi
if curl -s -m 2 -o /dev/null "$URL/"; then echo "horizon-up: $HOST:$PORT is taken by another process" >&2; exit 1; fi

: >"$LOG"
t0=$(date +%s%3N)
setsid uwsgi --plugin python3 --master --die-on-term --need-app \
  --http-socket "$HOST:$PORT" \
  --chdir /usr/share/openstack-dashboard --wsgi-file /usr/share/openstack-dashboard/wsgi.py \
  --static-map "/static=$STATIC" --static-expires-uri '/static/.* 86400' \
  --processes "${HORIZON_PROCESSES:-2}" --threads 4 --buffer-size 32768 --harakiri 120 \
  --env "NOVADOCK_HORIZON_KEYSTONE_URL=$NOVADOCK/identity/v3" \
  --env "NOVADOCK_HORIZON_HOST=$HOST" \
  --env "NOVADOCK_HORIZON_SESSION_DIR=$RUN_DIR/sessions" \
  --env "NOVADOCK_HORIZON_DEBUG_LOG=${HORIZON_DEBUG_LOG:-0}" \
  --pidfile "$PIDFILE" \
  </dev/null >>"$LOG" 2>&1 &
echo $! >"$PIDFILE"

# 4) wait for the login page and one compressed static file
for _ in $(seq $((WAIT_S * 5))); do
  if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "horizon-up: uWSGI exited; last lines of $LOG:" >&2; tail -20 "$LOG" >&2; exit 1; fi
  # a first page takes over 5 s on a loaded machine: generous timeouts, and a failed fetch is reported
  # (under set -e and pipefail a timed-out curl in $(...) would end the script without a word)
  if curl -sf -m 60 "$URL/auth/login/" 2>/dev/null | grep -q 'id="id_username"'; then
    css=$(curl -sf -m 60 "$URL/auth/login/" | grep -o '/static/dashboard/css/[^"]*\.css' | head -1) || css=''
    if [ -z "$css" ] || ! curl -sf -m 60 -o /dev/null "$URL$css"; then echo "horizon-up: static files are not served ($css)" >&2; exit 1; fi
    echo "horizon-up: Horizon on $URL for $NOVADOCK in $(( $(date +%s%3N) - t0 )) ms (pid $(cat "$PIDFILE"), log $LOG)" >&2
    echo "$URL"
    exit 0
  fi
  sleep 0.2
done
echo "horizon-up: no login page on $URL within ${WAIT_S}s; last lines of $LOG:" >&2
tail -20 "$LOG" >&2
exit 1
