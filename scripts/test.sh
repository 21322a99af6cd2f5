#!/usr/bin/env bash
# The whole test suite: real redis-server processes on loopback, started and stopped by the tests.
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
# StaticHealthcheckTests runs this binary.
swift build -c release --product redis-healthcheck -Xswiftc -static-executable --scratch-path .build-fullstatic
swift test --skip-build --parallel
