#!/usr/bin/python3
"""Golden statistics of Debian's Fashion-MNIST files, for
tests/datasets/fashion_mnist_test.cpp.

Reads the four .gz files with Python's gzip module and NumPy (independently of
gradlab's reader) and writes fashion_mnist_stats.json next to this script:
per split the count, image size, label histogram, the first 16 labels, the
exact integer sum of all raw pixel values, a position-weighted sum
(sum of pixel[k] * (k % 251) over the flattened array, catching reordering),
and the raw pixel sums of the first 3 images.

Command: /usr/bin/python3 tests/data/datasets/make_fashion_mnist_stats.py
"""
import datetime
import gzip
import json
import os
import platform
import subprocess
import sys

import numpy as np

DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path, ndim):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    assert magic == 0x0800 | ndim, hex(magic)
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    assert arr.size == int(np.prod(dims))
    return arr.reshape(dims)


def package_version():
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "dataset-fashion-mnist"],
                              capture_output=True, text=True, check=True).stdout
    except Exception:  # noqa: BLE001 - provenance only
        return "unknown"


def split_stats(prefix):
    images = read_idx(os.path.join(DIR, prefix + "-images-idx3-ubyte.gz"), 3)
    labels = read_idx(os.path.join(DIR, prefix + "-labels-idx1-ubyte.gz"), 1)
    flat = images.reshape(-1).astype(np.int64)
    weights = np.arange(flat.size, dtype=np.int64) % 251
    return {
        "count": int(images.shape[0]),
        "rows": int(images.shape[1]),
        "cols": int(images.shape[2]),
        "label_counts": np.bincount(labels, minlength=10).astype(int).tolist(),
        "first_labels": labels[:16].astype(int).tolist(),
        "pixel_sum": int(flat.sum()),
        "weighted_pixel_sum": int((flat * weights).sum()),
        "first_image_sums": [int(images[i].astype(np.int64).sum()) for i in range(3)],
        "max_pixel": int(images.max()),
    }


def main():
    out = {
        "provenance": {
            "command": "/usr/bin/python3 tests/data/datasets/make_fashion_mnist_stats.py",
            "source": DIR + " (Debian package dataset-fashion-mnist " + package_version() + ")",
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "platform": platform.platform(),
            "generated": datetime.date.today().isoformat(),
            "seed": "none (deterministic statistics of fixed files)",
        },
        "train": split_stats("train"),
        "test": split_stats("t10k"),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion_mnist_stats.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
