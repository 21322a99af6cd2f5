#!/usr/bin/env bash
# Fuzzes the whole generator — topology loader, validator and every generator — with libFuzzer
# (+ AddressSanitizer): topology bytes in, files out under a scratch root, nothing outside it.
#   scripts/fuzz-generate.sh [seconds]        default 600; findings land in .build-fuzz/
# Topology is built as a module first (Generators imports it), then Generators and the harness
# are compiled over it: linking libFuzzer through SwiftPM fails on an undefined <Target>_main.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
seconds="${1:-600}"
mkdir -p .build-fuzz/generate-corpus .build-fuzz/modules
cp -n Fuzz/corpus/* topologies/*.yaml .build-fuzz/generate-corpus/ 2>/dev/null || true
mapfile -t topology_sources < <(find Sources/Topology -name '*.swift' | sort)
mapfile -t generator_sources < <(find Sources/Generators -name '*.swift' | sort)
# The modules Generators imports, each as an object and a module interface; one package name
# so that `package` declarations are visible across them, as SwiftPM builds them.
module() {
  local name=$1; shift
  swiftc -O -sanitize=fuzzer,address -parse-as-library -whole-module-optimization -module-name "$name" -package-name redis_infra \
    -I Sources/CYAML -I .build-fuzz/modules -emit-module -emit-module-path ".build-fuzz/modules/$name.swiftmodule" \
    -c "$@" -o ".build-fuzz/$name.o"
}
mapfile -t support_sources < <(find Sources/InfraSupport -name '*.swift' | sort)
mapfile -t contract_sources < <(find Sources/HealthCheckContract -name '*.swift' | sort)
module InfraSupport "${support_sources[@]}"
module HealthCheckContract "${contract_sources[@]}"
module Topology "${topology_sources[@]}"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name GenerateFuzzer -package-name redis_infra \
  -I .build-fuzz/modules -I Sources/CYAML -lyaml \
  "${generator_sources[@]}" Fuzz/GenerateFuzzer.swift .build-fuzz/InfraSupport.o .build-fuzz/HealthCheckContract.o .build-fuzz/Topology.o \
  -o .build-fuzz/generate-fuzzer
.build-fuzz/generate-fuzzer .build-fuzz/generate-corpus -max_total_time="$seconds" -max_len=65536 \
  -rss_limit_mb=2048 -artifact_prefix=.build-fuzz/generate- -print_final_stats=1
