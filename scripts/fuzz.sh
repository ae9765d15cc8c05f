#!/usr/bin/env bash
# scripts/fuzz.sh SECONDS [TARGET...] — build the libFuzzer targets (fuzz/) with
# clang, -fsanitize=fuzzer,address,undefined, and run each for SECONDS,
# starting from the committed seed corpus fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh 600                  all eight targets, 10 minutes each
#   scripts/fuzz.sh 60 npy checkpoint    two targets, one minute each
#
# Targets: idx_raw idx_gzip csv npy checkpoint specs train_flags resume (see
# fuzz/targets.h; the last two run `gradlab train --dry-run` in a scratch
# directory they move into, so every path below is made absolute).
# Prints, per target: executions, exec/s, coverage (cov = edges, ft =
# features), corpus size, peak RSS and crashes. Exit status 1 if any target
# found a crash, leak, timeout or sanitizer report; the reproducer is saved
# under $FUZZ_BUILD_DIR/artifacts/<target>/ and its log next to it. Add each
# reproducer to tests/reliability/fuzz_crashes/<target>/ (replayed by
# reliability_fuzz_regression_test) when you fix it.
#
# Environment:
#   FUZZ_BUILD_DIR=build-fuzz   build directory (a separate, instrumented build)
#   FUZZ_PARALLEL=1             targets run at once (at most 2 on a 2-core box)
#   FUZZ_BUILD_JOBS=2           compile jobs
#   FUZZ_MAX_LEN=8192           largest input libFuzzer generates
# The fuzzers' own corpus grows in $FUZZ_BUILD_DIR/corpus/<target>/ (never in
# the committed seed corpus); later runs start from it too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ALL_TARGETS=(idx_raw idx_gzip csv npy checkpoint specs train_flags resume)
if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 2
fi
SECS=$1
shift
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (${ALL_TARGETS[*]})" >&2; exit 2; }
done

BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
PARALLEL=${FUZZ_PARALLEL:-1}
MAX_LEN=${FUZZ_MAX_LEN:-8192}

for tool in clang clang++; do
  command -v $tool >/dev/null || { echo "fuzz.sh: $tool not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
done

# ---- build -------------------------------------------------------------------
# Debug with -O1: assertions on, fast enough to fuzz, quick to compile.
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
    -DGRADLAB_FUZZ=ON -DGRADLAB_WERROR=OFF -DGRADLAB_BUILD_TESTS=OFF -DGRADLAB_BUILD_BENCH=OFF \
    -DGRADLAB_BUILD_LABS=OFF >/dev/null
fi
cmake --build "$BUILD" -j"${FUZZ_BUILD_JOBS:-2}" --target "${TARGETS[@]/#/fuzz_}"

# ---- run ---------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One OpenMP thread: the fuzzers run single inputs, and a second core is for a second fuzzer.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

run_one() {
  local t=$1 work="$ABS_BUILD/corpus/$1" art="$ABS_BUILD/artifacts/$1"
  rm -rf "$art"  # reproducers of earlier runs: copy them to tests/ before rerunning
  mkdir -p "$work" "$art"
  local log="$ABS_BUILD/fuzz-$t.log"
  set +e
  "$ABS_BUILD/fuzz/fuzz_$t" -max_total_time="$SECS" -print_final_stats=1 -max_len="$MAX_LEN" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/" "$work" "$PWD/fuzz/corpus/$t" >"$log" 2>&1
  echo $? >"$log.rc"
  set -e
}
export -f run_one
ABS_BUILD=$(realpath "$BUILD")
export BUILD ABS_BUILD SECS MAX_LEN

echo "fuzz.sh: ${#TARGETS[@]} target(s) x ${SECS}s, $PARALLEL at a time (logs: $BUILD/fuzz-<target>.log)"
printf '%s\n' "${TARGETS[@]}" | xargs -P "$PARALLEL" -I{} bash -c 'run_one {}'

# ---- report ------------------------------------------------------------------
status=0
printf '\n%-11s %14s %9s %7s %7s %7s %8s %s\n' target executions exec/s cov ft corpus rss_mb result
for t in "${TARGETS[@]}"; do
  log="$BUILD/fuzz-$t.log"
  rc=$(cat "$log.rc")
  execs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$log" | tail -1 | awk '{print $2}')
  eps=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$log" | tail -1 | awk '{print $2}')
  rss=$(grep -oE 'stat::peak_rss_mb: +[0-9]+' "$log" | tail -1 | awk '{print $2}')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | awk '{print $2}')
  corp=$(grep -o 'corp: [0-9]*' <<<"$last" | awk '{print $2}')
  crashes=$(find "$BUILD/artifacts/$t" -type f | wc -l)
  result=ok
  if [[ $rc != 0 || $crashes != 0 ]]; then
    result="FAILED (exit $rc, $crashes artifact(s) in $BUILD/artifacts/$t)"
    status=1
  fi
  printf '%-11s %14s %9s %7s %7s %7s %8s %s\n' "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "${rss:-?}" "$result"
done
exit $status
