#!/usr/bin/env bash
# The benchmark of issue 8, on this machine, in release:
#   1. the runner on generated suites of 100, 1,000 and 5,000 journeys against the embedded
#      mock: wall time, scenarios per second, peak memory (GNU time's maximum resident set);
#   2. the same journeys' HTTP requests sent by a bare client loop (examples/bare_journeys.rs),
#      the floor the runner is compared with;
#   3. the mock alone under load: person creation at 32 connections (examples/mock_load.rs).
# Usage: bench/run.sh [CONCURRENCY]   (default 16). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency=${1:-16}
cargo build --release --quiet --bin solaris-conformance --example bare_journeys --example mock_load
bin=target/release/solaris-conformance
time_bin=$(command -v /usr/bin/time || true)
echo "| suite | runner wall s | scenarios/s | peak RSS MiB | bare loop wall s | runner over bare |"
echo "|---|---|---|---|---|---|"
for n in 100 1000 5000; do
  bench/gen.sh "$n" >/dev/null
  out=$(mktemp -d)
  start=$(date +%s.%N)
  if [ -n "$time_bin" ]; then
    "$time_bin" -f "%M" -o "$out/rss" "$bin" run "bench/suite-$n" --report-dir "$out" --concurrency "$concurrency" >"$out/log" 2>&1 || { tail -20 "$out/log"; exit 1; }
  else
    "$bin" run "bench/suite-$n" --report-dir "$out" --concurrency "$concurrency" >"$out/log" 2>&1 || { tail -20 "$out/log"; exit 1; }
    echo 0 >"$out/rss"
  fi
  end=$(date +%s.%N)
  wall=$(echo "$end - $start" | bc -l)
  rss=$(echo "$(cat "$out/rss") / 1024" | bc -l)
  bare=$(target/release/examples/bare_journeys "$n" "$concurrency" | awk '/wall/ {print $2}')
  printf "| %d | %.2f | %.0f | %.0f | %.2f | %+.0f%% |\n" "$n" "$wall" "$(echo "$n / $wall" | bc -l)" "$rss" "$bare" "$(echo "($wall / $bare - 1) * 100" | bc -l)"
  rm -rf "$out"
done
echo
target/release/examples/mock_load 32 10
