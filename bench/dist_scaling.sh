#!/usr/bin/env bash
# bench/dist_scaling.sh [BUILD_DIR] — data parallelism on this machine, figures
# for labs/12_data_parallel/README.md (the scaling model) and the README:
#
#   1. the all-reduce between 2 ranks: gradlab's deterministic all_reduce_ vs
#      Open MPI's MPI_Allreduce vs a memcpy floor, 4 B to 64 MiB, and the
#      1-byte ping-pong latency (bench_dist_allreduce);
#   2. one epoch of the default Fashion-MNIST MLP (784-256-128-10, Adam 1e-3,
#      global batch 128) through dist::DataParallel, three ways at the same
#      global batch: 1 process x 1 thread, 1 process x 2 threads, 2 ranks x
#      1 thread each (bench_dist_train);
#   3. bytes moved and sync time per step against the model size (2 ranks,
#      hidden widths 64 to 2048, 3000 examples each).
#
# Needs Open MPI (scripts/install-deps.sh --dist) and a build with it
# (build/bench/dist/). Prints everything; asserts nothing. On a busy machine
# the figures are noisy: run it when nothing else does.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${1:-build}
BIN="$BUILD/bench/dist"
for p in bench_dist_allreduce bench_dist_train; do
  [[ -x "$BIN/$p" ]] || { echo "dist_scaling: $BIN/$p not built (needs Open MPI)" >&2; exit 1; }
done
# Open MPI on one machine: shared memory only, root allowed (containers).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=(mpirun --oversubscribe --mca btl self,vader)

echo "== 1. all-reduce between 2 ranks (1 thread each)"
OMP_NUM_THREADS=1 "${MPIRUN[@]}" -np 2 --bind-to core "$BIN/bench_dist_allreduce"

echo
echo "== 2. one epoch of the default MLP, global batch 128"
echo "-- 1 process, 1 thread"
OMP_NUM_THREADS=1 "$BIN/bench_dist_train"
echo "-- 1 process, 2 threads"
OMP_NUM_THREADS=2 "$BIN/bench_dist_train"
echo "-- 2 ranks, 1 thread each"
OMP_NUM_THREADS=1 "${MPIRUN[@]}" -np 2 --bind-to core "$BIN/bench_dist_train"

echo
echo "== 3. sync cost against model size (2 ranks, 1 thread each, 3000 examples)"
for h in 64 256 1024 2048; do
  echo "-- hidden $h,$h"
  OMP_NUM_THREADS=1 "${MPIRUN[@]}" -np 2 --bind-to core "$BIN/bench_dist_train" \
    --hidden "$h,$h" --limit 3000
done
