#!/usr/bin/env bash
# The tour: starts the servers and walks through every OrmPerf technique, measured the naive way and the OrmPerf way.
# Prints a table and writes artifacts/tour/results.md and results.json. Arguments go to the tour:
#   --quick (small data, seconds), --no-replica, --no-redis, --output DIR, --note "what else the machine was doing".
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'eng/services.sh down || true' EXIT
# Assigned first: a failed `up` then stops the script (set -e), where `eval "$(...)"` would carry on without servers.
servers=$(eng/services.sh up)
eval "$servers"
dotnet run -c Release --project samples/OrmPerf.Samples.Tour -- "$@"
