#!/usr/bin/env bash
# The main job: build, validate the example topologies, then report which Redis the factory
# would use (`redis-infra check`). Extra arguments go to `redis-infra check`, e.g.
# `scripts/run.sh --url redis://127.0.0.1:6379`. (`generate` joins here with its issue.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --product redis-infra >&2
.build/debug/redis-infra validate topologies/*.yaml
exec .build/debug/redis-infra check "$@"
