#!/usr/bin/env bash
# BenchmarkDotNet runs, OrmPerf side by side with its peers, against the throwaway servers.
#   eng/bench.sh                 every benchmark
#   eng/bench.sh '*Pool*'        those whose name matches the filter
# Results land in benchmarks/OrmPerf.Benchmarks/BenchmarkDotNet.Artifacts/results; copy the tables you quote
# into benchmarks/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
# Servers of its own, never a developer's (`eng/services.sh up` keys those by checkout): `down` at the end stops them.
export ORMPERF_SERVICES_DIR="${TMPDIR:-/tmp}/ormperf-services-$(basename "$0" .sh)-$$"
trap '"$root/eng/services.sh" down || true' EXIT
# Assigned first: a failed `up` then stops the script (set -e), where `eval "$(...)"` would carry on without servers.
servers=$(eng/services.sh up)
eval "$servers"
cd benchmarks/OrmPerf.Benchmarks
dotnet run -c Release -- --filter "${1:-*}" "${@:2}"
