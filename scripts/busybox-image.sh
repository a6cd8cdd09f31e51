#!/usr/bin/env bash
# Makes sure the Docker Engine (DOCKER_HOST, else the local socket) has IMAGE, a busybox image
# built without any registry: a busybox-static root filesystem imported as a one-layer image.
# When the test image (TEST_IMAGE, which scripts/docker-up.sh builds this way) is there already,
# IMAGE is just another tag of it. Idempotent; nothing happens when IMAGE exists.
# Usage: scripts/busybox-image.sh IMAGE     (scripts/start.sh: busybox:latest for the README's quick start)
set -euo pipefail
IMAGE=${1:?usage: busybox-image.sh IMAGE}
TEST_IMAGE=${TEST_IMAGE:-novadock-test/busybox:latest}
docker image inspect "$IMAGE" >/dev/null 2>&1 && exit 0
if [ "$IMAGE" != "$TEST_IMAGE" ] && docker image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  docker tag "$TEST_IMAGE" "$IMAGE"
  exit 0
fi
[ -x /bin/busybox ] || { echo "busybox-image: /bin/busybox is missing (Debian's busybox-static)" >&2; exit 1; }
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/bin "$R"/etc "$R"/tmp "$R"/root "$R"/proc "$R"/sys "$R"/dev "$R"/usr "$R"/mnt
cp /bin/busybox "$R"/bin/busybox
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
ln -s ../bin "$R"/usr/bin; ln -s bin "$R"/sbin; chmod 1777 "$R"/tmp
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$R"/etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R"/etc/group
tar --numeric-owner --owner=0 --group=0 -C "$R" -c . \
  | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
