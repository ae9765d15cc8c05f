#!/usr/bin/python3
"""fuzz/make_corpus.py — writes the committed seed corpus fuzz/corpus/<target>/.

Small valid (and a few typical invalid) inputs for each fuzz target in
fuzz/targets.h, so libFuzzer starts from the formats' real structure. Every
file is deterministic (rerunning this script rewrites identical bytes)
except the real checkpoints, whose metrics hold wall-clock seconds.

    /usr/bin/python3 fuzz/make_corpus.py BUILD_DIR/tools/gradlab

Needs NumPy (Debian's python3-numpy: .npy seeds are written by numpy itself)
and the built `gradlab` binary (the checkpoint and resume seeds are real
checkpoints of tiny runs, one stopped mid-epoch by SIGINT). Targets whose
first byte selects a mode (idx_gzip, csv, checkpoint, specs, resume; see
fuzz/targets.h) get that byte prepended here.
"""
import gzip
import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def idx(dims, payload=None, dtype=0x08):
    head = bytes([0, 0, dtype, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    n = 1
    for d in dims:
        n *= d
    body = payload if payload is not None else bytes((i * 37) % 256 for i in range(n))
    return head + body


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def npy(arr, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr)
    else:
        np.lib.format.write_array(buf, arr, version=version)
    return buf.getvalue()


def checkpoint_bytes(header, data):
    h = json.dumps(header, separators=(",", ":")).encode()
    body = b"GLCKPT\r\n" + struct.pack("<IQ", 1, len(h)) + h + data
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    gradlab = sys.argv[1]
    shutil.rmtree(CORPUS, ignore_errors=True)

    # ---- idx_raw ----
    write("idx_raw", "images_3x4x4", idx([3, 4, 4]))
    write("idx_raw", "labels_10", idx([10], bytes(i % 10 for i in range(10))))
    write("idx_raw", "images_0x28x28", idx([0, 28, 28]))
    write("idx_raw", "bad_magic", b"\x00\x00\x09\x03" + bytes(12))
    write("idx_raw", "truncated", idx([2, 3, 3])[:-5])

    # ---- idx_gzip: 0 = compress the rest first, 1 = the rest is gzip already ----
    write("idx_gzip", "plain_images", b"\x00" + idx([2, 3, 3]))
    write("idx_gzip", "plain_labels", b"\x00" + idx([6], bytes([0, 1, 2, 3, 4, 5])))
    write("idx_gzip", "gz_images", b"\x01" + gz(idx([2, 3, 3])))
    write("idx_gzip", "gz_labels", b"\x01" + gz(idx([6], bytes([0, 1, 2, 3, 4, 5]))))
    write("idx_gzip", "gz_two_members", b"\x01" + gz(idx([4])[:6]) + gz(idx([4])[6:]))
    write("idx_gzip", "gz_truncated", b"\x01" + gz(idx([2, 3, 3]))[:-6])

    # ---- csv: first byte picks the delimiter (0 ',', 1 ';', 2 tab, 3 '|') ----
    write("csv", "ints", b"\x00" + b"x1,x2,label\n0.5,1.5,0\n-2,3e2,1\n4,5,2\n")
    write("csv", "strings_crlf", b"\x00" + b"sepal,petal,label\r\n5.1,1.4,setosa\r\n7.0,4.7,versicolor\r\n")
    write("csv", "quoted_bom", b"\x00" + b'\xef\xbb\xbf"a,b",label\n"1",0\n " 2 ",1\n')
    write("csv", "semicolon", b"\x01" + b"a;b;label\n1;2;0\n\n3;4;1\n")
    write("csv", "tab", b"\x02" + b"label\ta\n0\t1\n1\t2\n")
    write("csv", "ragged", b"\x00" + b"a,b,label\n1,2,0\n3,4\n")

    # ---- npy (written by numpy itself) ----
    write("npy", "f32_2x3", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
    write("npy", "f64_nan", npy(np.array([1.5, np.nan, -np.inf], dtype="<f8")))
    write("npy", "i64", npy(np.array([[-1, 2], [3, 2**62]], dtype="<i8")))
    write("npy", "f16", npy(np.array([0.5, 65504, -0.0], dtype="<f2")))
    write("npy", "bool", npy(np.array([True, False, True])))
    write("npy", "u2", npy(np.array([1, 65535], dtype="<u2")))
    write("npy", "i1", npy(np.array([-128, 127], dtype="|i1")))
    write("npy", "scalar", npy(np.array(3.0, dtype="<f4")))
    write("npy", "empty_0x3", npy(np.zeros((0, 3), dtype="<f4")))
    write("npy", "v2_header", npy(np.ones((2, 2), dtype="<f8"), version=(2, 0)))
    write("npy", "fortran", npy(np.asfortranarray(np.ones((2, 3), dtype="<f4"))))
    write("npy", "big_endian", npy(np.ones(3, dtype=">f4")))

    # ---- checkpoint: 1 = recompute the CRC after mutation, 0 = as is ----
    tmp = tempfile.mkdtemp(prefix="gradlab-corpus-")
    try:
        out = os.path.join(tmp, "run")
        subprocess.run([gradlab, "train", "--dataset", "spirals", "--model", "mlp:4", "--epochs", "1",
                        "--seed", "1", "--out", out], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        with open(os.path.join(out, "checkpoint.ckpt"), "rb") as f:
            real = f.read()
        # A checkpoint from the middle of an epoch: stopped by SIGINT.
        mid = os.path.join(tmp, "mid")
        p = subprocess.Popen([gradlab, "train", "--dataset", "moons", "--model", "mlp:4,3:tanh",
                              "--batch-size", "1", "--epochs", "50", "--val-fraction", "0.1",
                              "--optimizer", "sgd", "--schedule", "cosine", "--out", mid],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not os.path.exists(os.path.join(mid, "checkpoint.ckpt")):
            time.sleep(0.01)
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        p.wait()
        with open(os.path.join(mid, "checkpoint.ckpt"), "rb") as f:
            middle = f.read()
    finally:
        shutil.rmtree(tmp)
    write("checkpoint", "real_mlp4_crc", b"\x01" + real)
    write("checkpoint", "real_mlp4_asis", b"\x00" + real)
    data = struct.pack("<2f", 1.0, -2.0) + struct.pack("<q", 7) + b"\x01\x00" + struct.pack("<e", 0.5)
    header = {"config": {"model": "mlp"}, "tensors": [
        {"name": "a", "dtype": "Float32", "shape": [2], "offset": 0, "nbytes": 8},
        {"name": "b", "dtype": "Int64", "shape": [], "offset": 8, "nbytes": 8},
        {"name": "c", "dtype": "Bool", "shape": [2, 1], "offset": 16, "nbytes": 2},
        {"name": "d", "dtype": "Float16", "shape": [1], "offset": 18, "nbytes": 2},
        {"name": "e", "dtype": "Float64", "shape": [0, 4], "offset": 20, "nbytes": 0}]}
    write("checkpoint", "dtypes_crc", b"\x01" + checkpoint_bytes(header, data))
    write("checkpoint", "empty_table_crc", b"\x01" + checkpoint_bytes({"tensors": []}, b""))

    # ---- specs: 0 = --dataset, 1 = --model, 2 = config JSON ----
    for i, s in enumerate(["spirals", "fashion-mnist", "csv:data/iris.csv:species", "idx:/data/mnist",
                           "csv:C:\\x.csv:y"]):
        write("specs", "dataset_%d" % i, b"\x00" + s.encode())
    for i, s in enumerate(["mlp", "mlp:256,128", "mlp:64:tanh", "mlp:8,8,8:gelu"]):
        write("specs", "model_%d" % i, b"\x01" + s.encode())
    config = {"dataset": "spirals", "model": "mlp:16", "epochs": 3, "batch_size": 32, "optimizer": "adam",
              "lr": 0.001, "momentum": 0.9, "weight_decay": 0.0, "label_smoothing": 0.1, "schedule": "none",
              "val_fraction": 0.0, "seed": 0, "threads": 1}
    write("specs", "config", b"\x02" + json.dumps(config).encode())

    # ---- train_flags: the arguments of `gradlab train`, one per line ----
    for i, args in enumerate([
            ["--dataset", "spirals", "--epochs", "3"],
            ["--model", "mlp:16,8:gelu", "--optimizer", "sgd", "--momentum", "0.5", "--lr", "0.1"],
            ["--dataset", "blobs", "--val-fraction", "0.2", "--schedule", "cosine"],
            ["--seed", "18446744073709551615", "--batch-size", "7", "--threads", "2"],
            ["--out", "runs/x", "--label-smoothing", "0", "--weight-decay", "0.01"],
            ["--lr", "nan"],
            ["--dataset", "csv:data.csv:label"],
            ["--resume", "run/checkpoint.ckpt", "--epochs", "3"]]):
        write("train_flags", "args_%d" % i, "\n".join(args).encode())

    # ---- resume: bit 0 = recompute the CRC, bits 1-3 = the flag given with --resume ----
    for name, ckpt in [("end", real), ("mid_epoch", middle)]:
        for mode, what in [(0x01, "plain"), (0x03, "epochs"), (0x05, "threads"), (0x09, "lr"),
                           (0x0D, "out"), (0x0F, "dir"), (0x00, "asis")]:
            write("resume", "%s_%s" % (name, what), bytes([mode]) + ckpt)


if __name__ == "__main__":
    main()
