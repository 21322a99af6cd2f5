#!/usr/bin/env bash
# The whole test suite: real redis-server processes on loopback, started and stopped by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --build-tests
swift test --skip-build --parallel
