#!/usr/bin/env bash
# Builds novadock/node-base:local without a registry: a busybox-static root filesystem plus this
# machine's Node.js binary and the shared libraries it links (docker-here.md §4 d1), and npm (pure
# JavaScript), which the build stage of scripts/Dockerfile.compose uses to drop dev dependencies.
set -euo pipefail
IMAGE=${NODE_BASE_IMAGE:-novadock/node-base:local}
docker image inspect "$IMAGE" >/dev/null 2>&1 && { echo "$IMAGE exists"; exit 0; }
R=$(mktemp -d); trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/bin "$R"/etc "$R"/tmp "$R"/root "$R"/usr/local/bin
cp /bin/busybox "$R"/bin/busybox
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
chmod 1777 "$R"/tmp
NODE=$(readlink -f "$(command -v node)")
cp "$NODE" "$R"/usr/local/bin/node
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$R"/usr/local/lib/node_modules && cp -a "$NPM_DIR" "$R"/usr/local/lib/node_modules/npm
for lib in $(ldd "$NODE" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"; done
cp /etc/nsswitch.conf "$R"/etc/ 2>/dev/null || true
printf '127.0.0.1 localhost\n::1 localhost\n' > "$R"/etc/hosts
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$R"/etc/passwd
printf 'root:x:0:\n' > "$R"/etc/group
tar --numeric-owner --owner=0 --group=0 -C "$R" -c . | docker import -c 'ENV PATH=/usr/local/bin:/bin' - "$IMAGE" >/dev/null
echo "built $IMAGE"
