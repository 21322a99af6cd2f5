#!/usr/bin/env bash
# The main job: build, then generate everything the example topologies describe (Compose
# overlays, node configs, health-check scripts, Terraform modules) into compose/,
# healthchecks/ and terraform/.
# Other topologies or options: `scripts/run.sh path/to/topology.yaml --out DIR` (arguments go
# to `redis-infra generate`; with none, topologies/*.yaml into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build --product redis-infra >&2
if [ "$#" -eq 0 ]; then
  set -- topologies/*.yaml
fi
exec .build/debug/redis-infra generate "$@"
