#!/usr/bin/env bash
# Every test of the solution against real servers: starts them (eng/services.sh), builds with warnings as
# errors, runs `dotnet test`, checks the packages, stops the servers, and ends with "N passed, N failed".
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Caching").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# Servers of its own, never a developer's (`eng/services.sh up` keys those by checkout): `down` at the end stops them.
export ORMPERF_SERVICES_DIR="${TMPDIR:-/tmp}/ormperf-services-$(basename "$0" .sh)-$$"
trap 'eng/services.sh down || true' EXIT
# Assigned first: a failed `up` then stops the script (set -e), where `eval "$(...)"` would carry on without servers.
servers=$(eng/services.sh up)
eval "$servers"

dotnet build OrmPerf.sln -c Release -nologo -clp:NoSummary -warnaserror

# A test that hangs is killed and named after 5 minutes without progress (the whole run takes about two), and the run
# as a whole is bounded too, so a hang ends as a failure with its name rather than as a CI timeout.
status=0
timeout --kill-after=1m 40m \
  dotnet test OrmPerf.sln -c Release --no-build --logger "trx" --results-directory "$results" \
    --blame-hang-timeout 5m --blame-hang-dump-type none "$@" || status=$?

# Packages: each of the three has its README and XML docs, and a symbols package beside it.
package_failures=0
if [ $# -eq 0 ]; then
  rm -rf artifacts/packages
  # The pack of the whole solution is warning-free: a warning is a package problem (or a project packed by mistake)
  # that would otherwise scroll by unread.
  pack_log=$(dotnet pack OrmPerf.sln -c Release --no-build -nologo -o artifacts/packages 2>&1) \
    || { printf '%s\npackage check failed: dotnet pack failed\n' "$pack_log" >&2; package_failures=$((package_failures + 1)); }
  pack_warnings=$(grep -E ': warning [A-Z]*[0-9]*' <<<"$pack_log" | sort -u || true)
  if [ -n "$pack_warnings" ]; then
    printf 'package check failed: dotnet pack warned:\n%s\n' "$pack_warnings" >&2
    package_failures=$((package_failures + 1))
  fi
  for package in OrmPerf.Core OrmPerf.Redis OrmPerf.Routing; do
    nupkg=$(ls artifacts/packages/$package.[0-9]*.nupkg 2>/dev/null | grep -v snupkg | head -n 1)
    listing=$([ -n "$nupkg" ] && unzip -l "$nupkg" || true)
    if [ -z "$nupkg" ] || [ ! -f "${nupkg%.nupkg}.snupkg" ] \
      || ! grep -q ' README.md$' <<<"$listing" \
      || ! grep -q "lib/net10.0/$package.xml" <<<"$listing" \
      || ! grep -q "lib/net8.0/$package.xml" <<<"$listing"; then
      echo "package check failed: $package (nupkg, snupkg, README.md and XML docs for net10.0 and net8.0 expected)" >&2
      package_failures=$((package_failures + 1))
    fi
  done
  # The ormperf command: a dotnet tool package with its entry point.
  # The listing is read whole first: with pipefail, `unzip -l | grep -q` fails at random when grep exits before unzip
  # has written everything (SIGPIPE).
  tool=$(ls artifacts/packages/OrmPerf.Tool.[0-9]*.nupkg 2>/dev/null | head -n 1)
  listing=$([ -n "$tool" ] && unzip -l "$tool" || true)
  if [ -z "$tool" ] || ! grep -q 'tools/net10.0/any/OrmPerf.Tool.dll$' <<<"$listing" || ! grep -q 'DotnetToolSettings.xml$' <<<"$listing"; then
    echo "package check failed: OrmPerf.Tool (a dotnet tool package with tools/net10.0/any/OrmPerf.Tool.dll expected)" >&2
    package_failures=$((package_failures + 1))
  fi
  # A packed README is read on a feed, where a relative link leads nowhere: every link is absolute (http/https) or an
  # anchor in the README itself (Directory.Build.targets rewrites the checkout's relative links at pack time).
  for nupkg in artifacts/packages/*.nupkg; do
    relative_links=$(unzip -p "$nupkg" README.md 2>/dev/null | grep -nP '\]\((?!https?://|#)' || true)
    if [ -n "$relative_links" ]; then
      printf 'package check failed: %s: README.md has relative links (dead on a feed):\n%s\n' "$(basename "$nupkg")" "$relative_links" >&2
      package_failures=$((package_failures + 1))
    fi
  done
fi

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
done
failed=$((failed + package_failures))

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
  echo "under CI no test may be skipped, but $skipped were" >&2
  status=1
fi
[ "$passed" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
