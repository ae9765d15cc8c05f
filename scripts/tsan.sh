#!/usr/bin/env bash
# scripts/tsan.sh [-R REGEX] [-- CTEST_ARGS...] — ThreadSanitizer over the
# multi-threaded code: builds, in a separate directory with clang and
# -fsanitize=thread, the test programs that run threads, and runs them with
# several OpenMP threads:
#
#   reliability_threads_test  several std::threads doing forward passes on one
#                             shared model, independent training steps at
#                             once, the OpenMP loss kernels at 1-4 threads and
#                             nested inside std::threads, BLAS matmul from
#                             several threads, readers and DataLoader shared
#   losses_*_test             the cross-entropy / softmax / logsumexp suites
#                             (OpenMP row kernels)
#   datasets_loader_test      DataLoader
#   core_autograd_test        the block pool (core/pool.cpp): blocks freed on
#                             other threads and after thread exit; graphs
#                             built and run across threads
#
# OpenMP: GCC's libgomp is not instrumented, so its barriers are invisible to
# TSan and every parallel loop would be reported as a race. We therefore
# build with clang's OpenMP runtime (libomp, Debian's libomp-14-dev) and load
# LLVM's Archer tool (libarcher.so, OMP_TOOL_LIBRARIES), which tells TSan
# about libomp's synchronisation. OpenBLAS's own threads are not instrumented
# either; it is called with OPENBLAS_NUM_THREADS=1 here, and the matmul test
# calls it from several std::threads at once.
#
# Environment: TSAN_BUILD_DIR=build-tsan  TSAN_JOBS=2  TSAN_OMP_THREADS=4
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REGEX='^(reliability_threads_test|losses_.*|datasets_loader_test|core_autograd_test)$'
while [[ $# -gt 0 ]]; do
  case $1 in
    -R) REGEX=$2; shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "tsan.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

BUILD=${TSAN_BUILD_DIR:-build-tsan}
ARCHER=$(ls /usr/lib/llvm-14/lib/libarcher.so 2>/dev/null || true)
[[ -n $ARCHER ]] || { echo "tsan.sh: libarcher.so not found (apt-get install libomp-14-dev)" >&2; exit 2; }
command -v clang++ >/dev/null || { echo "tsan.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }

# (fuzz/clang14_compat.h: clang 14 cannot compile the row kernels' CPU check.)
SAN="-fsanitize=thread -fno-omit-frame-pointer -include $PWD/fuzz/clang14_compat.h"
if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
    -DCMAKE_CXX_FLAGS="$SAN" -DCMAKE_C_FLAGS="$SAN" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
    -DGRADLAB_WERROR=OFF -DGRADLAB_BUILD_BENCH=OFF -DGRADLAB_BUILD_LABS=OFF >/dev/null
else
  cmake -S . -B "$BUILD" >/dev/null
fi
mapfile -t tests < <(ctest --test-dir "$BUILD" -N -R "$REGEX" | sed -n 's/^ *Test *#[0-9]*: *\([^ ]*\).*/\1/p')
[[ ${#tests[@]} -gt 0 ]] || { echo "tsan.sh: no test matches $REGEX" >&2; exit 2; }
echo "tsan.sh: building ${#tests[@]} test program(s): ${tests[*]}"
cmake --build "$BUILD" -j"${TSAN_JOBS:-2}" --target "${tests[@]}"

export OMP_TOOL_LIBRARIES=$ARCHER
export OMP_NUM_THREADS=${TSAN_OMP_THREADS:-4} OPENBLAS_NUM_THREADS=1
# ignore_noninstrumented_modules: libomp's own internals (its lock set-up)
# are not instrumented and would otherwise show as races (Archer says so).
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:history_size=4:ignore_noninstrumented_modules=1}
export ARCHER_OPTIONS=${ARCHER_OPTIONS:-verbose=1}
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j1 -R "$REGEX" "$@"
