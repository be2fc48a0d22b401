#!/usr/bin/env bash
# The tour: starts the servers and walks through every OrmPerf technique, measured before/after.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(eng/services.sh up)"
trap 'eng/services.sh down || true' EXIT
dotnet run -c Release --project samples/OrmPerf.Samples.Tour -- "$@"
