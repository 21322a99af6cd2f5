#!/usr/bin/env bash
# Fuzzes the topology loader + validator with libFuzzer (+ AddressSanitizer).
#   scripts/fuzz-topology.sh [seconds]        default 600; findings land in .build-fuzz/
# swiftc builds the Topology sources directly: linking libFuzzer through a SwiftPM executable
# target fails on an undefined <Target>_main symbol.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
seconds="${1:-600}"
mkdir -p .build-fuzz/corpus
cp -n Fuzz/corpus/* topologies/*.yaml .build-fuzz/corpus/ 2>/dev/null || true
mapfile -t sources < <(find Sources/Topology -name '*.swift' | sort)
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TopologyFuzzer -package-name redis_infra \
  -I Sources/CYAML -lyaml \
  "${sources[@]}" Fuzz/TopologyFuzzer.swift \
  -o .build-fuzz/topology-fuzzer
.build-fuzz/topology-fuzzer .build-fuzz/corpus -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=2048 -artifact_prefix=.build-fuzz/ -print_final_stats=1
