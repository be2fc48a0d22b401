#!/usr/bin/env bash
# The tour: starts the servers and walks through every OrmPerf technique, measured the naive way and the OrmPerf way.
# Prints a table and writes artifacts/tour/results.md and results.json. Arguments go to the tour:
#   --quick (small data, seconds), --no-replica, --no-redis, --output DIR, --note "what else the machine was doing".
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(eng/services.sh up)"
trap 'eng/services.sh down || true' EXIT
dotnet run -c Release --project samples/OrmPerf.Samples.Tour -- "$@"
