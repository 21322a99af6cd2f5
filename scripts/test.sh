#!/usr/bin/env bash
# The whole test suite: real redis-server processes on loopback, started and stopped by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# redis-py drives the stub-server in the tests, as the Python services will.
if [ ! -x .venv-tools/bin/python ] || ! .venv-tools/bin/python -c 'import redis' 2>/dev/null; then
  python3 -m venv .venv-tools
  .venv-tools/bin/pip install --quiet --disable-pip-version-check 'redis==8.1.0'
fi
swift build --build-tests
swift test --skip-build --parallel
