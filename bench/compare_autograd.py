#!/usr/bin/python3
"""Side-by-side: the autograd-overhead chain in PyTorch 1.13 and gradlab.

The same chain as bench/bench_core.cpp's BM_AutogradChain: 100,000 ops on
4-element float32 tensors (mul, add, tanh in turn), forward + backward,
single-threaded. Prints microseconds per op for both and the ratio.

Usage: /usr/bin/python3 bench/compare_autograd.py [build-dir]
"""
import json
import subprocess
import sys
import time

import torch

N_OPS = 100_000


def torch_chain(repeats=3):
    torch.set_num_threads(1)
    x = torch.tensor([0.1, 0.2, 0.3, 0.4], requires_grad=True)
    w = torch.tensor([0.9, 1.1, 0.95, 1.05], requires_grad=True)
    b = torch.tensor([0.01, -0.02, 0.03, -0.04], requires_grad=True)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        y = x
        for i in range(N_OPS):
            k = i % 3
            y = y * w if k == 0 else (y + b if k == 1 else torch.tanh(y))
        y.sum().backward()
        best = min(best, time.perf_counter() - t0)
        x.grad = w.grad = b.grad = None
    return best / N_OPS * 1e6


def gradlab_chain(build):
    out = subprocess.run(
        [f"{build}/bench/bench_core", "--benchmark_filter=BM_AutogradChain",
         "--benchmark_repetitions=3", "--benchmark_format=json"],
        check=True, capture_output=True, text=True,
        env={"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}).stdout
    runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
    return min(r["us_per_op"] for r in runs)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    ours = gradlab_chain(build)
    theirs = torch_chain()
    print(f"autograd chain, {N_OPS} ops on 4-element tensors, forward+backward, 1 thread")
    print(f"  gradlab     {ours:8.3f} us/op")
    print(f"  torch {torch.__version__} {theirs:8.3f} us/op")
    print(f"  ratio (torch / gradlab): {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
