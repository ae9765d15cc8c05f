#!/usr/bin/python3
"""Golden reference data for the losses/ test suites.

Writes two JSON files next to this script:

  losses_logsoftmax_reference.json     SciPy 1.10 in float64: logsumexp (plain,
                                       weighted, signed), log_softmax, softmax
  losses_cross_entropy_reference.json  PyTorch 1.13 in float64:
                                       F.cross_entropy loss AND gradient (logits,
                                       and probability targets when soft)

Run from the repository root with Debian's interpreter (it has python3-scipy
and python3-torch; a pyenv `python3` on PATH usually has neither):

    /usr/bin/python3 tests/data/gen_reference.py

Every input is first rounded to float32 so the C++ tests can replay the same
cases in Float32 as well as Float64. Non-finite numbers are written as the
strings "nan", "inf", "-inf" (JSON has no literal for them). Each file carries
a "provenance" object: tool versions, seed, command, date.

gradlab deliberately differs from PyTorch in a few places (classes on the LAST
dim, a `mask` option, mean over zero valid targets = 0). The torch side here
emulates our inputs: logits are moved to (N, C, ...) for torch, and masked
targets are set to ignore_index (or, for probability targets, masked rows are
dropped before calling torch). Cases with no valid target are not generated
here (torch gives NaN, we give 0): the C++ stress tests cover them.
"""

import datetime
import json
import math
import os
import platform
import sys

import numpy as np
import scipy
import scipy.special as sp
import torch
import torch.nn.functional as F

SEED = 20240503
HERE = os.path.dirname(os.path.abspath(__file__))


def enc(v):
    """A float for JSON: finite as a number, the rest as strings."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc_array(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "values": [enc(v) for v in a.reshape(-1)]}


def f32(a):
    """Round to float32 and back, so the value is exact in both dtypes."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def provenance(what):
    return {
        "generator": "tests/data/gen_reference.py",
        "command": "/usr/bin/python3 tests/data/gen_reference.py",
        "what": what,
        "seed": SEED,
        "dtype": "float64",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "torch": torch.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


# ---------------------------------------------------------------------------
# SciPy: logsumexp / log_softmax / softmax
# ---------------------------------------------------------------------------
def scipy_cases(rng):
    cases = []

    def add_lse(name, x, dims, keepdim, b=None, signed=False):
        axis = None if dims is None else tuple(dims)
        case = {"name": name, "x": enc_array(x),
                "dims": [] if dims is None else list(dims), "keepdim": keepdim}
        with np.errstate(all="ignore"):
            if b is None and not signed:
                case["op"] = "logsumexp"
                case["expected"] = enc_array(sp.logsumexp(x, axis=axis, keepdims=keepdim))
            else:
                case["op"] = "logsumexp_signed" if signed else "logsumexp_weighted"
                if b is not None:
                    case["b"] = enc_array(b)
                if signed:
                    val, sgn = sp.logsumexp(x, axis=axis, b=b, keepdims=keepdim, return_sign=True)
                    case["expected"] = enc_array(val)
                    case["sign"] = enc_array(sgn)
                else:
                    case["expected"] = enc_array(sp.logsumexp(x, axis=axis, b=b, keepdims=keepdim))
        cases.append(case)

    def add_sm(name, x, dim):
        with np.errstate(all="ignore"):
            cases.append({"name": name, "op": "log_softmax", "x": enc_array(x), "dim": dim,
                          "expected": enc_array(sp.log_softmax(x, axis=dim))})
            cases.append({"name": name, "op": "softmax", "x": enc_array(x), "dim": dim,
                          "expected": enc_array(sp.softmax(x, axis=dim))})

    # A battery of shapes, scales and dims.
    shapes_dims = [
        ((), [None]),
        ((1,), [None, [0]]),
        ((7,), [None, [0], [-1]]),
        ((3, 4), [None, [0], [1], [-1], [0, 1]]),
        ((2, 3, 5), [None, [0], [1], [2], [0, 2], [-1, -3], [1, 2]]),
        ((2, 1, 4, 3), [[1], [3], [0, 3], [1, 2]]),
        ((4, 37), [[1]]),  # a row longer than one SIMD vector, with a tail
    ]
    for scale in [1.0, 10.0, 1000.0]:
        for shape, dimss in shapes_dims:
            x = f32(rng.standard_normal(shape) * scale)
            for dims in dimss:
                for keepdim in ([False, True] if dims is not None else [False]):
                    add_lse(f"randn{shape}x{scale}", x, dims, keepdim)
            for d in range(len(shape)):
                add_sm(f"randn{shape}x{scale}", x, d)
                if d == len(shape) - 1:
                    add_sm(f"randn{shape}x{scale}", x, -1)

    # Stress rows from the course, and non-finite values (SciPy's semantics).
    inf, nan = np.inf, np.nan
    stress_rows = {
        "large": [1000.0, 1001.0, 1002.0],
        "very_negative": [-1000.0, -999.0, -998.0],
        "wide_range": [-1000.0, 1000.0],
        "far_apart": [1000.0, 1.0],
        "near_fp32_max": [3.0e38, 3.0e38, -3.0e38],
        "tiny_gaps": [1e-7, 2e-7, 0.0],
        "with_neg_inf": [-inf, 0.0, 1.0],
        "all_neg_inf": [-inf, -inf, -inf],
        "with_pos_inf": [inf, 1.0, -2.0],
        "pos_and_neg_inf": [inf, -inf, 0.0],
        "two_pos_inf": [inf, inf],
        "with_nan": [nan, 1.0, 2.0],
        "nan_and_inf": [nan, inf],
        "single": [5.0],
        "single_neg_inf": [-inf],
    }
    for name, row in stress_rows.items():
        x = f32(row)
        add_lse("stress_" + name, x, None, False)
        add_sm("stress_" + name, x, 0)
    # A matrix whose rows hit every special case, reduced along rows and cols.
    special = f32([[1.0, 2.0, 3.0, 4.0], [-inf, -inf, -inf, -inf], [inf, 0.0, 1.0, 2.0],
                   [nan, 0.0, 1.0, 2.0], [-inf, 0.0, -inf, 1.0], [1000.0, -1000.0, 0.0, 1.0]])
    for dims in ([1], [0], None):
        add_lse("special_matrix", special, dims, False)
    add_sm("special_matrix", special, 1)
    add_sm("special_matrix", special, 0)

    # Weighted (b) and signed forms.
    a = f32(rng.standard_normal((3, 4)) * 3)
    b = f32(rng.uniform(0.1, 2.0, (3, 4)))
    for dims in (None, [0], [1]):
        add_lse("weighted_positive", a, dims, False, b=b)
        add_lse("weighted_positive", a, dims, True, b=b, signed=True)
    b_row = f32(rng.uniform(0.1, 2.0, (1, 4)))
    add_lse("weighted_broadcast_row", a, [1], False, b=b_row)
    add_lse("weighted_broadcast_scalar", a, [0], True, b=f32(np.array(0.5)))
    b_mixed = f32([[1.0, -1.0, 2.0, -0.5], [-1.0, -1.0, 0.5, 0.25], [0.0, 1.0, -3.0, 1.0]])
    for dims in ([1], [0], None):
        add_lse("weighted_mixed_sign", a, dims, False, b=b_mixed)       # NaN where the sum < 0
        add_lse("weighted_mixed_sign", a, dims, False, b=b_mixed, signed=True)
    # b == 0 excludes entries even where a is +-inf or NaN.
    a_bad = f32([[inf, 1.0, 2.0], [nan, 0.0, 1.0], [-inf, 1.0, 1.0], [inf, nan, 3.0]])
    b_bad = f32([[0.0, 1.0, 1.0], [0.0, 2.0, 1.0], [0.0, 1.0, -1.0], [0.0, 0.0, 1.0]])
    add_lse("weights_zero_exclude", a_bad, [1], False, b=b_bad)
    add_lse("weights_zero_exclude", a_bad, [1], False, b=b_bad, signed=True)
    # An exact zero sum: sign 0, value -inf.
    a0 = f32([[0.0, 0.0, 1.0], [2.0, 2.0, 2.0]])
    b0 = f32([[1.0, -1.0, 0.0], [1.0, 1.0, -2.0]])
    add_lse("weights_exact_zero_sum", a0, [1], False, b=b0, signed=True)
    add_lse("weights_exact_zero_sum", a0, [1], False, b=b0)
    # Signed without b, and with non-finite values.
    add_lse("signed_no_weights", special, [1], False, signed=True)
    b_inf = f32([[-1.0, 1.0, 1.0], [1.0, -1.0, 1.0]])
    a_inf = f32([[inf, 1.0, 2.0], [inf, inf, 0.0]])
    add_lse("weights_with_inf", a_inf, [1], False, b=b_inf)
    add_lse("weights_with_inf", a_inf, [1], False, b=b_inf, signed=True)
    return cases


# ---------------------------------------------------------------------------
# PyTorch: cross_entropy loss and gradient
# ---------------------------------------------------------------------------
def torch_ce(logits, target, weight, ignore_index, eps, reduction, upstream, soft):
    """logits: (..., C) float64 numpy, classes LAST (gradlab's layout)."""
    x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    xt = x.movedim(-1, 1) if x.dim() > 2 else x  # torch wants classes on dim 1
    if soft:
        t = torch.tensor(target, dtype=torch.float64, requires_grad=True)
        tt = t.movedim(-1, 1) if t.dim() > 2 else t
    else:
        t = torch.tensor(target, dtype=torch.int64)
        tt = t
    w = None if weight is None else torch.tensor(weight, dtype=torch.float64)
    kw = {} if soft else {"ignore_index": ignore_index}
    loss = F.cross_entropy(xt, tt, weight=w, reduction=reduction, label_smoothing=eps, **kw)
    loss.backward(torch.tensor(upstream, dtype=torch.float64))
    tgrad = t.grad.numpy() if soft else None
    return loss.detach().numpy(), x.grad.numpy(), tgrad


def ce_cases(rng):
    cases = []

    def add(name, logits, target, *, weight=None, ignore_index=None, mask=None, eps=0.0,
            reduction="mean", soft=False):
        lead = logits.shape[:-1]
        if reduction == "none":
            upstream = f32(rng.uniform(-1.5, 1.5, lead))
        else:
            upstream = np.array(0.75)
        ii = -100 if ignore_index is None else ignore_index
        if soft:
            if mask is None:
                loss, grad, tgrad = torch_ce(logits, target, weight, ii, eps, reduction, upstream, True)
            else:
                # torch has no mask for soft targets: run it on the valid rows only.
                rows = mask.reshape(-1)
                C = logits.shape[-1]
                lx, lt = logits.reshape(-1, C)[rows], target.reshape(-1, C)[rows]
                up = upstream.reshape(-1)[rows] if reduction == "none" else upstream
                l_v, g_v, tg_v = torch_ce(lx, lt, weight, ii, eps, reduction, up, True)
                grad = np.zeros((rows.size, C))
                tgrad = np.zeros((rows.size, C))
                grad[rows], tgrad[rows] = g_v, tg_v
                grad, tgrad = grad.reshape(logits.shape), tgrad.reshape(logits.shape)
                if reduction == "none":
                    loss = np.zeros(rows.size)
                    loss[rows] = l_v
                    loss = loss.reshape(lead)
                else:
                    loss = l_v
        else:
            torch_target = target.copy()
            if mask is not None:
                torch_target[~mask] = ii
            loss, grad, tgrad = torch_ce(logits, torch_target, weight, ii, eps, reduction,
                                         upstream, False)
            if mask is not None:
                # gradlab must never read a masked row's target: give it garbage.
                target = target.copy()
                target[~mask] = 1000 + np.arange(int((~mask).sum()))
        case = {"name": name, "logits": enc_array(logits), "soft": soft, "reduction": reduction,
                "label_smoothing": eps, "upstream": enc_array(upstream),
                "loss": enc_array(loss), "grad": enc_array(grad)}
        if soft:
            case["target"] = enc_array(target)
            case["target_grad"] = enc_array(tgrad)
        else:
            case["target"] = {"shape": list(target.shape), "values": [int(v) for v in target.reshape(-1)]}
        if weight is not None:
            case["weight"] = enc_array(weight)
        if ignore_index is not None:
            case["ignore_index"] = ignore_index
        if mask is not None:
            case["mask"] = {"shape": list(mask.shape), "values": [bool(v) for v in mask.reshape(-1)]}
        cases.append(case)

    N, C = 7, 5
    logits = f32(rng.standard_normal((N, C)) * 2)
    target = rng.integers(0, C, N)
    target[[1, 4]] = 3  # rows that ignore_index=3 removes
    target[2] = 0
    weight = f32(rng.uniform(0.2, 2.0, C))
    mask = np.array([True, True, False, True, True, False, True])

    # The whole grid: reduction x eps x weight x ignore_index x mask.
    for reduction in ["none", "sum", "mean"]:
        for eps in [0.0, 0.1, 1.0]:
            for w in [None, weight]:
                for ii in [None, 3]:
                    for m in [None, mask]:
                        name = (f"grid_{reduction}_eps{eps}_{'w' if w is not None else 'nw'}_"
                                f"{'ii' if ii is not None else 'noii'}_{'mask' if m is not None else 'nomask'}")
                        add(name, logits, target, weight=w, ignore_index=ii, mask=m, eps=eps,
                            reduction=reduction)

    # Probability targets: reduction x eps x weight (x mask for a few).
    probs = f32(sp.softmax(rng.standard_normal((N, C)) * 2, axis=1))
    for reduction in ["none", "sum", "mean"]:
        for eps in [0.0, 0.1, 1.0]:
            for w in [None, weight]:
                add(f"soft_{reduction}_eps{eps}_{'w' if w is not None else 'nw'}", logits, probs,
                    weight=w, eps=eps, reduction=reduction, soft=True)
        add(f"soft_{reduction}_eps0.1_w_mask", logits, probs, weight=weight, eps=0.1,
            reduction=reduction, soft=True, mask=mask)
    # Unnormalised "probabilities" follow the formula too.
    add("soft_unnormalised", logits, f32(rng.uniform(0, 1, (N, C))), eps=0.1, soft=True)

    # (B, T, C) sequences with padding: classes on the last dim.
    B, T, C3 = 2, 4, 6
    l3 = f32(rng.standard_normal((B, T, C3)) * 3)
    t3 = rng.integers(0, C3, (B, T))
    t3[1, 3] = 0
    m3 = np.array([[True, True, True, False], [True, True, False, False]])
    w3 = f32(rng.uniform(0.5, 1.5, C3))
    for reduction in ["none", "sum", "mean"]:
        add(f"seq_{reduction}_eps0.1_w_ii0_mask", l3, t3, weight=w3, ignore_index=0, mask=m3,
            eps=0.1, reduction=reduction)
        add(f"seq_{reduction}_plain", l3, t3, reduction=reduction)
    add("seq_soft_mean", l3, f32(sp.softmax(rng.standard_normal((B, T, C3)), axis=-1)), eps=0.1,
        soft=True)

    # Stress: large logits, -inf logits at non-target classes, C = 1, one row.
    big = f32(rng.choice([-1e4, 1e4], (4, 6)) + rng.standard_normal((4, 6)))
    tb = np.array([0, 1, 2, 3])
    for eps in [0.0, 0.1]:
        add(f"stress_pm1e4_eps{eps}", big, tb, eps=eps)
        add(f"stress_pm1e4_eps{eps}_none", big, tb, eps=eps, reduction="none")
    ninf = f32(rng.standard_normal((3, 5)))
    ninf[0, 1] = ninf[1, 3] = ninf[1, 4] = ninf[2, 0] = -np.inf
    add("stress_neg_inf_logits", ninf, np.array([0, 1, 2]), reduction="none")
    add("stress_neg_inf_logits_mean", ninf, np.array([0, 1, 2]))
    add("stress_neg_inf_logits_smoothing", ninf, np.array([0, 1, 2]), eps=0.1, reduction="none")
    for eps in [0.0, 0.1]:
        add(f"stress_one_class_eps{eps}", f32(rng.standard_normal((4, 1)) * 5), np.zeros(4, np.int64),
            eps=eps)
    add("stress_single_row_1d", f32(rng.standard_normal(5)), np.array(2), eps=0.1)
    return cases


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def main():
    rng = np.random.default_rng(SEED)
    torch.manual_seed(SEED)
    write(os.path.join(HERE, "losses_logsoftmax_reference.json"),
          {"provenance": provenance("scipy.special logsumexp/log_softmax/softmax, float64"),
           "cases": scipy_cases(rng)})
    write(os.path.join(HERE, "losses_cross_entropy_reference.json"),
          {"provenance": provenance("torch.nn.functional.cross_entropy loss and grad, float64"),
           "cases": ce_cases(rng)})


if __name__ == "__main__":
    if sys.version_info < (3, 8):
        sys.exit("python >= 3.8 required")
    main()
