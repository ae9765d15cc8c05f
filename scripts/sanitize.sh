#!/usr/bin/env bash
# scripts/sanitize.sh [--all | --ci | -L LABEL | -R REGEX] [-- CTEST_ARGS...]
#
# Builds the test suite with AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included) in a separate build directory and runs it with
# ctest. Any sanitizer report fails the test that triggered it (UBSan is
# built with -fno-sanitize-recover, ASan aborts on the first error, leaks
# are checked at every program's exit, the `gradlab` binary the CLI tests
# start included).
#
#   scripts/sanitize.sh            everything (long: a full second build)
#   scripts/sanitize.sh --ci       the CI subset (25 programs): the core suites
#                                  (tensors, views, every op, autograd), the
#                                  reliability suites (bad-input catalogue
#                                  incl. the CLI, checkpoint format, SIGKILL
#                                  crash safety, fuzz-crash replay,
#                                  AnomalyMode, threads), every dataset
#                                  reader, the losses (SIMD and OpenMP
#                                  kernels) and train_test (train/eval). Not
#                                  in it: layers, optim, the labs and the
#                                  lab/grade tools.
#   scripts/sanitize.sh -L reliability    one ctest label
#   scripts/sanitize.sh -R '^datasets_'   a ctest name regex
#
# With a subset, only the matching test programs (and what they need) are
# built. Not run under sanitizers:
#   consumer_project     it installs gradlab and builds a separate project
#                        against it: packaging, not memory.
#   labtools_test,       they check that `gradlab grade` runs each submission
#   grade_fixture_test   under an address-space limit (RLIMIT_AS); an
#                        ASan-built submission cannot even start under one
#                        (its shadow memory reserves terabytes of addresses).
#
# Environment:
#   SANITIZE_BUILD_DIR=build-asan   SANITIZE_JOBS=2 (compile jobs)
#   SANITIZE_CTEST_JOBS=2           CC/CXX (default: the system gcc/g++)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The CI subset (see the header). Names are ctest test names.
CI_REGEX='^(core_|reliability_|datasets_|losses_|train_test$)'

filter=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --all) filter=(); shift ;;
    --ci) filter=(-R "$CI_REGEX"); shift ;;
    -L | -R) [[ $# -ge 2 ]] || { echo "sanitize.sh: $1 needs an argument" >&2; exit 2; }
      filter=("$1" "$2"); shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "sanitize.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

BUILD=${SANITIZE_BUILD_DIR:-build-asan}
JOBS=${SANITIZE_JOBS:-2}
# Tests left out (see the header).
EXCLUDE='^(consumer_project|labtools_test|grade_fixture_test)$'
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

# Debug with -O1: assertions on, sanitizer-friendly, tolerable speed.
# Warnings are not errors here: sanitizer instrumentation makes GCC's flow
# warnings noisy, and the normal build already enforces -Werror.
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
    -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DGRADLAB_WERROR=OFF -DGRADLAB_BUILD_BENCH=OFF >/dev/null
else
  cmake -S . -B "$BUILD" >/dev/null
fi

if [[ ${#filter[@]} -eq 0 ]]; then
  cmake --build "$BUILD" -j"$JOBS"
else
  # Build only the programs the matching tests run: the first word of each
  # test's command as configured in the CTestTestfile.cmake files (the
  # programs need not exist yet; several tests may share one, e.g. the
  # *_generic_kernels runs). If a test runs something that is not one of our
  # targets (a script, cmake -P), build everything.
  mapfile -t names < <(ctest --test-dir "$BUILD" -N "${filter[@]}" -E "$EXCLUDE" |
    sed -n 's/^ *Test *#[0-9]*: *\([^ ]*\).*/\1/p')
  mapfile -t progs < <(for n in "${names[@]}"; do
      grep -rhF "add_test([=[$n]=] " "$BUILD" --include=CTestTestfile.cmake |
        sed -n 's/^add_test(\[=\[[^]]*\]=\] *"\([^"]*\)".*/\1/p'
    done | xargs -r -n1 basename | sort -u)
  [[ ${#progs[@]} -gt 0 ]] || { echo "sanitize.sh: no test matches ${filter[*]}" >&2; exit 2; }
  known=$(ninja -C "$BUILD" -t targets all | sed -n 's/^\([^:/]*\): .*/\1/p')
  targets=("${progs[@]}")
  for p in "${progs[@]}"; do
    grep -qx -- "$p" <<<"$known" || { targets=(); break; }
  done
  if [[ ${#targets[@]} -gt 0 ]]; then
    echo "sanitize.sh: building ${#targets[@]} test program(s): ${targets[*]}"
    cmake --build "$BUILD" -j"$JOBS" --target "${targets[@]}"
  else
    echo "sanitize.sh: a matching test runs a non-target program; building everything"
    cmake --build "$BUILD" -j"$JOBS"
  fi
fi

# Not detect_stack_use_after_return: GCC 12's fake stack frames do not keep
# the 64-byte alignment the AVX-512 row kernels' local buffers get, so aligned
# vector stores fault there (a sanitizer artefact, not a gradlab bug).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp}
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j"${SANITIZE_CTEST_JOBS:-2}" \
  "${filter[@]}" -E "$EXCLUDE" "$@"
