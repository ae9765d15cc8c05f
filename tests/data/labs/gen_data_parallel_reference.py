#!/usr/bin/python3
"""Golden data for the phase-12 suite (tests/labs/test_data_parallel.cpp), in float64.

Writes tests/data/labs/data_parallel_reference.json with:
  ring        3 ranks' arrays of 10 float32 values and their sum (numpy, float64)
  regression  a linear model y ~ x.w + b, a global batch of 10 examples split over
              4 ranks, and the gradient of the batch-mean squared error w.r.t. (w, b)
              (PyTorch autograd, float64): what average_gradients must reproduce
  buckets     the bucket plan of the Fashion-MNIST MLP 784-256-128-10 (parameters
              w1, b1, w2, b2, w3, b3) for a budget of 65536 floats, by the rule of
              lab.h, written out again here independently of the C++

Run:  /usr/bin/python3 tests/data/labs/gen_data_parallel_reference.py
(Debian's python3-torch 1.13). Deterministic: rerunning rewrites a byte-identical file.
"""
import json
import os
import platform

import numpy as np
import torch

SEED = 20240612
HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = "/usr/bin/python3 tests/data/labs/gen_data_parallel_reference.py"


def f32(a):
    """Values exactly representable in float32, as Python floats."""
    return [float(v) for v in np.asarray(a, dtype=np.float32)]


def plan_buckets(numels, cap):
    buckets, cur, size = [], [], 0
    for i in reversed(range(len(numels))):
        if cur and size + numels[i] > cap:
            buckets.append(cur)
            cur, size = [], 0
        cur.append(i)
        size += numels[i]
    if cur:
        buckets.append(cur)
    return buckets


def main():
    rng = np.random.default_rng(SEED)

    ranks = [f32(rng.normal(size=10) * 10.0 ** rng.integers(-3, 4, size=10)) for _ in range(3)]
    ring = {"world_size": 3, "data": ranks,
            "sum": [float(v) for v in np.sum(np.array(ranks, dtype=np.float64), axis=0)]}

    x = f32(rng.normal(size=(10, 3)).ravel())
    y = f32(rng.normal(size=10))
    w = f32(rng.normal(size=3))
    b = f32(rng.normal(size=1))
    tx = torch.tensor(x, dtype=torch.float64).reshape(10, 3)
    ty = torch.tensor(y, dtype=torch.float64)
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = ((tx @ tw + tb - ty) ** 2).mean()
    loss.backward()
    regression = {"world_size": 4, "n": 10, "d": 3, "x": x, "y": y, "w": w, "b": b,
                  "loss": float(loss), "grad_w": [float(v) for v in tw.grad],
                  "grad_b": [float(v) for v in tb.grad]}

    numels = [784 * 256, 256, 256 * 128, 128, 128 * 10, 10]
    buckets = {"numels": numels, "bucket_floats": 65536,
               "buckets": plan_buckets(numels, 65536)}

    out = {
        "provenance": {
            "generator": "tests/data/labs/gen_data_parallel_reference.py",
            "command": COMMAND,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "seed": SEED,
            "dtype": "float64 (inputs rounded to float32 first)",
            "torch_calls": "torch.Tensor.backward of ((x @ w + b - y) ** 2).mean()",
        },
        "ring": ring,
        "regression": regression,
        "buckets": buckets,
    }
    with open(os.path.join(HERE, "data_parallel_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
