#!/usr/bin/env bash
# The benchmark of issue 8, on this machine, in release:
#   1. the runner on generated suites of 100, 1,000 and 5,000 journeys against the embedded
#      mock: wall time, scenarios per second, peak memory (GNU time's maximum resident set);
#   2. the same suites against a mock served by a separate process, so the runner's own memory
#      is told apart from the mock's (which keeps every customer it is sent, as a sandbox does);
#   3. the same journeys' HTTP requests sent by a bare client loop (examples/bare_journeys.rs),
#      the floor the runner is compared with;
#   4. the mock alone under load: person creation at 32 connections (examples/mock_load.rs);
#   5. when `hurl` is on PATH, another tool on the same journeys (bench/hurl.sh), against a
#      separately served mock like the runner's "separate" run.
# Usage: [ROUNDS=3] [INSTRUCTIONS=1] bench/run.sh [CONCURRENCY]   (default 16). Prints Markdown
# tables; INSTRUCTIONS=1 adds the user-space instruction counts of both at 1,000 journeys.
# The runner on the embedded mock and the bare loop run ROUNDS times each, one after the
# other in turn, and their median wall times are compared: this machine's speed drifts by
# tens of percent within minutes, and taking turns exposes both to the same drift.
set -euo pipefail
cd "$(dirname "$0")/.."
concurrency=${1:-16}
rounds=${ROUNDS:-3}
case "$rounds" in
  '' | *[!0-9]* | 0) echo "ROUNDS must be a whole number from 1 (it is '$rounds')" >&2; exit 2 ;;
esac
rounds_seen=()
cargo build --release --quiet --bin solaris-conformance --example bare_journeys --example mock_load
bin=target/release/solaris-conformance
time_bin=$(command -v /usr/bin/time || true)
work=$(mktemp -d)
mock_pid=""
trap 'if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

# Runs the runner with "$@", leaving its peak RSS in KiB in $work/rss and the CPU seconds it
# used (user + system) in $work/cpu (both 0 without GNU time).
measure() {
  if [ -n "$time_bin" ]; then
    "$time_bin" -f "%M %U %S" -o "$work/time" "$bin" run "$@" >"$work/log" 2>&1 || { tail -20 "$work/log"; exit 1; }
    awk '{print $1}' "$work/time" >"$work/rss"
    awk '{print $2 + $3}' "$work/time" >"$work/cpu"
  else
    "$bin" run "$@" >"$work/log" 2>&1 || { tail -20 "$work/log"; exit 1; }
    echo 0 >"$work/rss"
    echo 0 >"$work/cpu"
  fi
}

# Runs the bare loop for N journeys at CONCURRENCY; prints its wall time (start to exit, as
# the runner's is measured) and CPU seconds.
bare() {
  local start end
  start=$(date +%s.%N)
  if [ -n "$time_bin" ]; then
    "$time_bin" -f "%U %S" -o "$work/bare-time" target/release/examples/bare_journeys "$1" "$2" >"$work/bare-log"
  else
    target/release/examples/bare_journeys "$1" "$2" >"$work/bare-log"
    echo "0 0" >"$work/bare-time"
  fi
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(awk '{print $1 + $2}' "$work/bare-time")"
}
mib() { echo "$1 / 1024" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| suite | runner wall s | scenarios/s | peak RSS MiB (runner + embedded mock) | runner alone MiB | separate mock MiB | runner wall s (separate mock) | bare loop wall s | runner over bare | share outside HTTP | runner CPU s | bare loop CPU s | CPU over bare |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in 100 1000 5000; do
  bench/gen.sh "$n" >/dev/null
  walls=()
  bares=()
  cpus=()
  bare_cpus=()
  rss=0
  for _ in $(seq "$rounds"); do
    start=$(date +%s.%N)
    measure "bench/suite-$n" --report-dir "$work/reports" --concurrency "$concurrency"
    end=$(date +%s.%N)
    walls+=("$(echo "$end - $start" | bc -l)")
    cpus+=("$(cat "$work/cpu")")
    rss=$(( $(cat "$work/rss") > rss ? $(cat "$work/rss") : rss ))
    rm -rf "$work/reports"
    read -r bare_wall bare_cpu < <(bare "$n" "$concurrency")
    bares+=("$bare_wall")
    bare_cpus+=("$bare_cpu")
  done
  wall=$(median "${walls[@]}")
  bare=$(median "${bares[@]}")
  cpu=$(median "${cpus[@]}")
  bare_cpu=$(median "${bare_cpus[@]}")
  # Each round's runner and bare loop run one after the other, in the same phase of the
  # machine's speed: their ratio, round by round, and its median.
  ratios=()
  for i in "${!walls[@]}"; do
    ratios+=("$(echo "(${walls[$i]} / ${bares[$i]} - 1) * 100" | bc -l)")
  done
  rounds_seen+=("$n journeys, each round (runner / bare, s): $(paste -d/ <(printf '%.2f\n' "${walls[@]}") <(printf '%.2f\n' "${bares[@]}") | tr '\n' ' ')= runner over bare $(printf '%+.0f%% ' "${ratios[@]}")(median of the rounds' own: $(printf '%+.0f%%' "$(median "${ratios[@]}")"))")

  # The same suite against a freshly started mock in its own process.
  "$bin" mock --port 0 >"$work/mock.log" 2>&1 &
  mock_pid=$!
  for _ in $(seq 50); do grep -q "listening on" "$work/mock.log" && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$work/mock.log" | head -1)
  separate_start=$(date +%s.%N)
  measure "bench/suite-$n" --target "$url" --client-id mock-client --client-secret mock-secret \
    --report-dir "$work/reports-separate" --concurrency "$concurrency"
  separate_wall=$(echo "$(date +%s.%N) - $separate_start" | bc -l)
  alone=$(cat "$work/rss")
  mock_rss=$(awk '/VmHWM/ {print $2}' "/proc/$mock_pid/status" 2>/dev/null || echo 0)
  kill "$mock_pid" 2>/dev/null || true
  wait "$mock_pid" 2>/dev/null || true
  mock_pid=""

  # Share outside HTTP: the part of the runner's wall time the bare loop does not spend.
  # CPU seconds (user + system, medians) are the work each does, whatever the machine's
  # scheduling did to the wall time; "CPU over bare" is n/a without GNU time.
  cpu_over="n/a"
  if [ "$(echo "$bare_cpu > 0" | bc -l)" = 1 ]; then
    cpu_over=$(printf '%+.0f%%' "$(echo "($cpu / $bare_cpu - 1) * 100" | bc -l)")
  fi
  printf "| %d | %.2f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %+.0f%% | %.0f%% | %.2f | %.2f | %s |\n" "$n" "$wall" \
    "$(echo "$n / $wall" | bc -l)" "$(mib "$rss")" "$(mib "$alone")" "$(mib "${mock_rss:-0}")" \
    "$separate_wall" "$bare" "$(echo "($wall / $bare - 1) * 100" | bc -l)" "$(echo "(1 - $bare / $wall) * 100" | bc -l)" \
    "$cpu" "$bare_cpu" "$cpu_over"
  rm -rf "$work/reports" "$work/reports-separate"
done
echo
printf '%s\n' "${rounds_seen[@]}"
echo
target/release/examples/mock_load 32 10
if [ "${INSTRUCTIONS:-0}" = 1 ]; then
  # The work each does in user space, counted by valgrind (the same every run, unlike times on
  # a machine whose speed drifts): both with the embedded mock, 1,000 journeys. Kernel work
  # (the network stack, a large part of the floor's CPU time) is not counted. Takes minutes.
  echo
  if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
    count() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }
    bench/gen.sh 1000 >/dev/null
    valgrind --tool=callgrind --callgrind-out-file="$work/bare.cg" \
      target/release/examples/bare_journeys 1000 "$concurrency" >/dev/null 2>&1
    valgrind --tool=callgrind --callgrind-out-file="$work/runner.cg" \
      "$bin" run bench/suite-1000 --report-dir "$work/reports" --concurrency "$concurrency" >/dev/null 2>&1
    runner_ir=$(count "$work/runner.cg")
    bare_ir=$(count "$work/bare.cg")
    printf 'instructions in user space, 1000 journeys (callgrind): runner %.2f G, bare loop %.2f G, runner over bare %+.0f%%\n' \
      "$(echo "$runner_ir / 1000000000" | bc -l)" "$(echo "$bare_ir / 1000000000" | bc -l)" \
      "$(echo "($runner_ir / $bare_ir - 1) * 100" | bc -l)"
  else
    echo "INSTRUCTIONS=1 needs valgrind (apt install valgrind)"
  fi
fi
if command -v hurl >/dev/null; then
  echo
  for n in 100 1000 5000; do bench/hurl.sh "$n" "$concurrency"; done
else
  echo
  echo "hurl is not installed: no comparison with another tool (see bench/README.md)"
fi
