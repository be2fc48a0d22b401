#!/usr/bin/env bash
# Records the packages' public API changes after an intended change: adds new public symbols to each package's
# PublicAPI.Unshipped.txt and marks removed ones (the analyzers' own code fixes for RS0016/RS0017), so the build passes
# again and the diff shows the change for review. At a release, Unshipped's lines move into PublicAPI.Shipped.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/*/*.csproj; do
  dotnet format analyzers "$project" --diagnostics RS0016 RS0017 --severity warn --verbosity quiet
done
