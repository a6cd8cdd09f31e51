#!/usr/bin/env bash
# Runs chosen tests of real Tempest (Debian's python3-tempest) against a novadock it starts itself on
# the local Docker Engine, with a generated tempest.conf. CI runs it through
# test/clients/compat-tempest.test.ts (the 14 default tests); by hand it takes any test regexes.
#
#   bash scripts/compat-tempest.sh                 # the compatibility-sweep tests (issue 17)
#   bash scripts/compat-tempest.sh 'REGEX' ...     # any Tempest test ids matching these regexes
#
# Two runs: the compute tests with Tempest seeing compute and image only (etc/tempest.conf), then
# those that need the network service visible (etc-neutron/tempest.conf; NEUTRON_TESTS).
# Environment: PORT (default 22100), WORK (default a new /tmp/novadock-tempest.XXXX, kept for its
# logs: tempest.log, novadock.log, etc/tempest.conf), TEST_IMAGE (the Docker image uploaded as
# image_ref and image_ref_alt; default novadock-test/busybox:latest, built by scripts/docker-up.sh),
# NEUTRON_TESTS (regexes for the second run), PROJECT_NETWORK_CIDR (Tempest's project networks),
# and novadock's own (NOVADOCK_NETWORK_POOL etc.: give it ranges no other service on the engine uses).
# Exit status: stestr's (0 when every selected test passed or was skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-22100}
WORK=${WORK:-$(mktemp -d /tmp/novadock-tempest.XXXX)}
TEST_IMAGE=${TEST_IMAGE:-novadock-test/busybox:latest}
TEMPEST_DIR=/usr/lib/python3/dist-packages/tempest
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}

bash scripts/compat-clients-up.sh
bash scripts/clients-up.sh

# The tests issue 17 names (what real Tempest found), one regex each.
DEFAULT_TESTS=(
  'images\.test_images\.ImagesTestJSON\.test_delete_saving_image'
  'images\.test_images_oneserver_negative\.ImagesOneServerNegativeTestJSON\.test_create_second_image_when_first_image_is_being_saved'
  'images\.test_images_oneserver_negative\.ImagesOneServerNegativeTestJSON\.test_delete_image_that_is_not_yet_active'
  'images\.test_images_oneserver\.ImagesOneServerTestJSON\.test_create_delete_image'
  'servers\.test_server_metadata_negative\.ServerMetadataNegativeTestJSON\.test_metadata_items_limit'
  'limits\.test_absolute_limits_negative\.AbsoluteLimitsNegativeTestJSON\.test_max_metadata_exceed_limit'
  'servers\.test_list_servers_negative\.ListServersNegativeTestJSON\.test_list_servers_by_changes_since_invalid_date'
  'servers\.test_create_server\.ServersTestJSON\.test_verify_server_details'
  'admin\.test_servers\.ServersAdmin275Test\.test_rebuild_update_server_275'
  'admin\.test_server_diagnostics\.ServerDiagnosticsV248Test\.test_get_server_diagnostics'
  'admin\.test_networks\.NetworksTest\.test_get_network'
  'admin\.test_networks\.NetworksTest\.test_list_all_networks'
  'test_networks\.ComputeNetworksTest\.test_list_networks'
)
# Tests that need Tempest to see the network service (service_available.neutron = True, each dynamic
# project given its own network, subnet and router): run second, with their own tempest.conf.
# ComputeNetworksTest skips itself with neutron on, so the two sets cannot share one configuration.
DEFAULT_NEUTRON_TESTS=(
  'test_tenant_networks\.ComputeTenantNetworksTest\.test_list_show_tenant_networks'
)
TESTS=("$@")
[ ${#TESTS[@]} -gt 0 ] || TESTS=("${DEFAULT_TESTS[@]}")
# NEUTRON_TESTS: space-separated regexes for the second run (default: the list above, unless regexes were given)
if [ -n "${NEUTRON_TESTS+x}" ]; then read -r -a NTESTS <<<"$NEUTRON_TESTS"
elif [ $# -gt 0 ]; then NTESTS=()
else NTESTS=("${DEFAULT_NEUTRON_TESTS[@]}"); fi
# the projects' networks Tempest makes in the second run (never plugged: no Docker network is made)
PROJECT_NETWORK_CIDR=${PROJECT_NETWORK_CIDR:-198.18.200.0/22}

mkdir -p "$WORK/data" "$WORK/etc" "$WORK/logs" "$WORK/home"
echo "compat-tempest: work dir $WORK" >&2

# 1) novadock on 127.0.0.1:$PORT (Docker driver), stopped by PID on exit. One process (node with
#    tsx as its loader), so that $! is the server itself: `npx tsx` is npx → tsx → node, and killing
#    npx left the server running after the script had ended.
NOVADOCK_PORT=$PORT NOVADOCK_DATA_DIR="$WORK/data" NOVADOCK_LOG_LEVEL=${NOVADOCK_LOG_LEVEL:-info} \
  node --import tsx src/server.ts >"$WORK/logs/novadock.log" 2>&1 &
NOVA_PID=$!
cleanup() {
  kill "$NOVA_PID" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$NOVA_PID" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$NOVA_PID" 2>/dev/null || true
  wait "$NOVA_PID" 2>/dev/null || true
  # whatever Tempest left: the containers labelled with this service's compute hosts
  for h in $(/usr/bin/python3 -c 'import sqlite3,sys; print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("select uuid from compute_hosts")))' "$WORK/data/novadock.sqlite" 2>/dev/null); do
    ids=$(docker ps -aq --filter "label=io.novadock.service-id=$h")
    [ -z "$ids" ] || docker rm -f $ids >/dev/null
    # and its Docker networks (the engine would refuse their ranges to the next run)
    nets=$(docker network ls -q --filter "label=io.novadock.service-id=$h")
    [ -z "$nets" ] || docker network rm $nets >/dev/null || true
  done
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  [ -s "$WORK/data/openrc" ] && curl -sf -o /dev/null "http://127.0.0.1:$PORT/identity/v3" && break
  kill -0 $NOVA_PID 2>/dev/null || { cat "$WORK/logs/novadock.log" >&2; exit 1; }
  sleep 0.5
done
# shellcheck disable=SC1091
source "$WORK/data/openrc"
export HOME="$WORK/home" PATH="/usr/bin:$PATH"

# 2) two images (image_ref and image_ref_alt) from the test image, and two flavors
tar="$WORK/image.tar"
docker image save "$TEST_IMAGE" -o "$tar"
img() { glance image-create --visibility public --container-format docker --disk-format raw --name "$1" --file "$tar" -f value -c id 2>/dev/null \
  || openstack image create --public --container-format docker --disk-format raw --file "$tar" -f value -c id "$1"; }
IMAGE_REF=$(img tempest-image)
IMAGE_REF_ALT=$(img tempest-image-alt)
FLAVOR_REF=$(openstack flavor show m1.tiny -f value -c id)
FLAVOR_REF_ALT=$(openstack flavor show m1.small -f value -c id)
# the external network: NetworksTest finds it by id in GET /os-networks (below 2.36)
PUBLIC_NETWORK_ID=$(openstack network show public -f value -c id)

# 3) tempest.conf: Keystone v3, dynamic credentials (novadock creates the projects and users),
#    compute and image only, no validation over SSH (containers have no network here)
cat >"$WORK/etc/tempest.conf" <<EOF
[DEFAULT]
log_dir = $WORK/logs
log_file = tempest.log
debug = True

[auth]
admin_username = admin
admin_password = $OS_PASSWORD
admin_project_name = admin
admin_domain_name = Default
use_dynamic_credentials = True
create_isolated_networks = False

[identity]
uri_v3 = http://127.0.0.1:$PORT/identity/v3
auth_version = v3
region = RegionOne
default_domain_id = default

[identity-feature-enabled]
api_v2 = False

[compute]
image_ref = $IMAGE_REF
image_ref_alt = $IMAGE_REF_ALT
flavor_ref = $FLAVOR_REF
flavor_ref_alt = $FLAVOR_REF_ALT
max_microversion = latest
build_timeout = 120
build_interval = 1

[compute-feature-enabled]
# Tempest reads server metadata writes as Xen-only; novadock has them, so let the tests run.
xenapi_apis = True
console_output = True
snapshot = True
resize = True
pause = True
suspend = True
shelve = True
rescue = False
change_password = False
interface_attach = False
attach_encrypted_volume = False

[image]
build_timeout = 120
build_interval = 1

[image-feature-enabled]
api_v1 = False
api_v2 = True

[service_available]
nova = True
glance = True
neutron = False
cinder = False
swift = False
heat = False

[validation]
run_validation = False

[network]
# not [compute] fixed_network_name: Tempest would then boot every server on that network by id
public_network_id = $PUBLIC_NETWORK_ID
EOF

# 4) run the selected tests one at a time with stestr, from Tempest's own discovery module
cat >"$WORK/.stestr.conf" <<EOF
[DEFAULT]
test_path=$TEMPEST_DIR/test_discover
top_dir=$(dirname "$TEMPEST_DIR")
group_regex=([^\.]*\.)*
EOF
# the second configuration: the same with the network service visible to Tempest
mkdir -p "$WORK/etc-neutron"
sed -e 's/^neutron = False$/neutron = True/' -e 's/^create_isolated_networks = False$/create_isolated_networks = True/' \
  "$WORK/etc/tempest.conf" >"$WORK/etc-neutron/tempest.conf"
cat >>"$WORK/etc-neutron/tempest.conf" <<EOF
project_network_cidr = $PROJECT_NETWORK_CIDR
project_network_mask_bits = 28

[network-feature-enabled]
ipv6 = False
EOF
export TEMPEST_CONFIG=tempest.conf
run() { # CONFIG_DIR REGEX...
  local dir=$1; shift
  [ $# -gt 0 ] || return 0
  local regex start rc
  regex=$(IFS='|'; echo "tempest\.api\.compute\.($*)")
  start=$(date +%s)
  set +e
  (cd "$WORK" && TEMPEST_CONFIG_DIR="$dir" /usr/bin/python3 -m stestr run --serial "$regex")
  rc=$?
  set -e
  echo "compat-tempest: $# pattern(s) with $(basename "$dir")/tempest.conf, $(( $(date +%s) - start )) s of Tempest, exit $rc; logs in $WORK/logs" >&2
  return $rc
}
rc=0
run "$WORK/etc" "${TESTS[@]}" || rc=$?
run "$WORK/etc-neutron" "${NTESTS[@]}" || rc=$?
exit $rc
