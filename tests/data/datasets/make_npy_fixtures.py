#!/usr/bin/python3
"""Cross-check fixtures for gradlab's .npy reader and writer
(tests/datasets/npy_test.cpp): the exact bytes NumPy writes for a few arrays,
with their dtype, shape and values, plus files NumPy writes that gradlab must
refuse (fortran order, big-endian, unsupported dtypes) with the message
fragment expected. Written to npy_fixtures.json next to this script; the
.npy bytes are stored as hex so the fixture is one reviewable text file.

Command: /usr/bin/python3 tests/data/datasets/make_npy_fixtures.py
"""
import datetime
import io
import json
import os
import platform
import sys

import numpy as np

SEED = 1234


def npy_bytes(arr, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr, allow_pickle=True)
    else:
        np.lib.format.write_array(buf, arr, version=version, allow_pickle=True)
    return buf.getvalue()


def good(name, arr, dtype, roundtrip=True, version=None):
    return {
        "name": name,
        "npy_hex": npy_bytes(arr, version).hex(),
        "dtype": dtype,  # gradlab DType name it loads as
        "shape": list(arr.shape),
        "values": [v.item() if hasattr(v, "item") else v for v in arr.reshape(-1).tolist()],
        # true if gradlab's serialize_npy must reproduce the bytes exactly
        "roundtrip": roundtrip,
    }


def bad(name, arr, fragment, at="header"):
    """at: "header" = the error is reported at the header's first byte (offset
    10 in a version 1.0 file); otherwise a character whose first occurrence
    in the header text is where the error is."""
    data = npy_bytes(arr)
    header_start = 10
    header = data[header_start:].decode("latin1")
    offset = header_start if at == "header" else header_start + header.index(at)
    return {"name": name, "npy_hex": data.hex(), "error": fragment, "offset": offset}


def main():
    rng = np.random.default_rng(SEED)
    cases = [
        good("f4_2x3", (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3), "Float32"),
        good("f8_4", rng.standard_normal(4), "Float64"),
        good("i8_3x2", np.array([[0, -1], [2**62, -2**62], [7, 123456789012]], dtype=np.int64), "Int64"),
        good("b1_5", np.array([True, False, False, True, True]), "Bool"),
        good("f2_2x2", rng.standard_normal((2, 2)).astype(np.float16), "Float16"),
        good("f8_scalar", np.array(3.25), "Float64"),
        good("f4_empty_0x3", np.zeros((0, 3), dtype=np.float32), "Float32"),
        good("f4_1x1x2x1", rng.standard_normal((1, 1, 2, 1)).astype(np.float32), "Float32"),
        good("u1_4_widened", np.array([0, 1, 128, 255], dtype=np.uint8), "Int64", roundtrip=False),
        good("i4_3_widened", np.array([-2**31, 0, 2**31 - 1], dtype=np.int32), "Int64", roundtrip=False),
        good("f4_version_2_0", np.arange(3, dtype=np.float32), "Float32", roundtrip=False,
             version=(2, 0)),
        good("f4_version_3_0", np.arange(3, dtype=np.float32), "Float32", roundtrip=False,
             version=(3, 0)),
    ]
    errors = [
        bad("fortran_order", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
            "fortran_order True is not supported"),
        bad("big_endian_f4", np.arange(3, dtype=">f4"), "big-endian dtype '>f4'"),
        bad("complex_c8", np.zeros(2, dtype=np.complex64), "unsupported dtype '<c8'"),
        bad("unicode_U3", np.array(["abc", "de"]), "unsupported dtype '<U3'"),
        bad("structured", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]),
            "structured arrays are not supported", at="["),
        bad("object", np.array([1, "x"], dtype=object), "unsupported dtype '|O'"),
    ]
    out = {
        "provenance": {
            "command": "/usr/bin/python3 tests/data/datasets/make_npy_fixtures.py",
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "seed": SEED,
            "platform": platform.platform(),
            "generated": datetime.date.today().isoformat(),
        },
        "cases": cases,
        "errors": errors,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy_fixtures.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
