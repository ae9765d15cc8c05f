#!/usr/bin/python3
"""Side-by-side epoch time: `gradlab train` vs PyTorch 1.13, same work.

Both train the default model (MLP 784-256-128-10, Adam lr 1e-3, batch 128,
label smoothing 0.1) for EPOCHS epochs over the 60,000 Fashion-MNIST training
images from /usr/share/datasets/fashion-mnist, at the same thread count, and
report the median seconds per epoch (gradlab: the seconds column of its
metrics.csv; PyTorch: a plain training loop over pre-normalised tensors, the
fastest way to write it).

Usage: /usr/bin/python3 bench/compare_train.py [--build build] [--threads 1] [--epochs 3]
"""
import argparse
import csv
import gzip
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def load_idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def torch_epochs(threads, epochs):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.from_numpy(load_idx("train-images-idx3-ubyte.gz").reshape(60000, 784).astype(np.float32) / 255)
    y = torch.from_numpy(load_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    x = (x - x.mean()) / x.std()
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(60000)
        for i in range(0, 60000, 128):
            idx = perm[i:i + 128]
            loss = F.cross_entropy(model(x[idx]), y[idx], label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def gradlab_epochs(build, threads, epochs):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run")
        env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
        subprocess.run([os.path.join(build, "tools", "gradlab"), "train", "--epochs", str(epochs), "--threads",
                        str(threads), "--out", out], check=True, capture_output=True, env=env)
        with open(os.path.join(out, "metrics.csv")) as f:
            return statistics.median(float(r["seconds"]) for r in csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    a = ap.parse_args()
    ours = gradlab_epochs(a.build, a.threads, a.epochs)
    theirs = torch_epochs(a.threads, a.epochs)
    print(f"Fashion-MNIST epoch, MLP 784-256-128-10, Adam, batch 128, {a.threads} thread(s), median of {a.epochs}")
    print(f"  gradlab             {ours:7.3f} s/epoch")
    print(f"  torch {torch.__version__:<13} {theirs:7.3f} s/epoch")
    print(f"  ratio (torch / gradlab): {theirs / ours:.2f}x")


if __name__ == "__main__":
    main()
