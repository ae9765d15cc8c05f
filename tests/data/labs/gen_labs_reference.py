#!/usr/bin/python3
"""Golden reference data for the lab suites of phases 01, 03, 04 and 05.

Writes, next to this script:

  lab01_tensors.json        NumPy / PyTorch: np.broadcast_shapes (and its
                            errors), torch contiguous strides, torch view
                            storage offsets, sums over one dim of
                            np.lib.stride_tricks.as_strided views
  lab03_autograd.json       PyTorch autograd in float64: the gradients of mul,
                            div, exp, log, sum, broadcast add and matmul, and
                            of small graphs that reuse nodes
  lab04_linear.json         PyTorch in float64: F.linear forward and its
                            gradients, relu and its gradient; and the exact
                            initial weights of a Linear layer drawn from
                            gradlab's Philox4x32-10 generator (re-implemented
                            below from core/random.cpp, so the C++ draw order
                            is checked independently)
  lab05_cross_entropy.json  PyTorch in float64: F.cross_entropy (mean over
                            valid targets) loss and gradient, with
                            ignore_index and a padding mask

Run from the repository root with Debian's interpreter (it has python3-numpy,
python3-scipy and python3-torch; a pyenv `python3` on PATH usually has none):

    /usr/bin/python3 tests/data/labs/gen_labs_reference.py

Inputs that the C++ side reads as float32 are rounded to float32 first, so
both sides start from the same numbers. Non-finite numbers are written as the
strings "nan", "inf", "-inf". Each file carries a "provenance" object: tool
versions, seed, command, date.
"""

import datetime
import json
import math
import os
import platform

import numpy as np
import scipy
import torch
import torch.nn.functional as F

SEED = 20240611
HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = "/usr/bin/python3 tests/data/labs/gen_labs_reference.py"


def enc(v):
    """A float for JSON: finite as a number, the rest as strings."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc_list(a):
    return [enc(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def f32(a):
    """Round to float32 and back, so the value is exact in both dtypes."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def provenance(what):
    return {
        "generator": "tests/data/labs/gen_labs_reference.py",
        "command": COMMAND,
        "what": what,
        "seed": SEED,
        "rng": "numpy.random.default_rng([seed, NN]) for labNN's file",
        "dtype": "float64",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "torch": torch.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def write(name, what, body):
    body = dict(body)
    out = {"provenance": provenance(what)}
    out.update(body)
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


# ---------------------------------------------------------------------------
# lab01: shapes, strides, broadcasting, a strided reduction
# ---------------------------------------------------------------------------
def lab01(rng):
    # Broadcast pairs: hand-picked (including rank 0, size 0 and errors) and
    # random ones derived from a common output shape.
    pairs = [
        ([2, 3], [3]), ([3], [2, 3]), ([4, 1, 5], [3, 1]), ([3, 1], [3]), ([1], [5]),
        ([], [2, 2]), ([], []), ([0], [1]), ([2, 0], [2, 1]), ([5, 1, 1], [1, 4, 1]),
        ([8, 1, 6, 1], [7, 1, 5]), ([1, 1, 1], [1]),
        ([2, 3], [2]), ([3], [4]), ([2, 1], [8, 4, 3]), ([0], [2]), ([4, 5, 6], [5, 7]),
    ]
    for _ in range(40):
        rank = int(rng.integers(0, 6))
        out = [int(s) for s in rng.integers(1, 6, rank)]
        ra, rb = int(rng.integers(0, rank + 1)), int(rng.integers(0, rank + 1))
        a = [s if rng.random() < 0.6 else 1 for s in out[rank - ra:]]
        b = [s if rng.random() < 0.6 else 1 for s in out[rank - rb:]]
        if rng.random() < 0.25 and a and b:  # make one position clash
            k = int(rng.integers(1, min(len(a), len(b)) + 1))
            a[-k], b[-k] = 2, 3
        pairs.append((a, b))
    broadcast = []
    for a, b in pairs:
        try:
            out = list(np.broadcast_shapes(tuple(a), tuple(b)))
            broadcast.append({"a": a, "b": b, "out": [int(s) for s in out]})
        except ValueError:
            broadcast.append({"a": a, "b": b, "error": True})

    # Contiguous strides, as torch reports them.
    stride_shapes = [[], [1], [7], [2, 3], [2, 3, 4], [4, 1, 5], [2, 0, 3], [0], [3, 0],
                     [1, 1, 1, 1], [2, 3, 4, 5, 6], [1000, 1000], [6, 1, 1, 2]]
    strides = [{"shape": s, "strides": list(torch.empty(s).stride())} for s in stride_shapes]

    # Element offsets of views: torch.as_strided, then index; the indexed
    # element's storage_offset() is the answer.
    offsets = []
    for _ in range(30):
        rank = int(rng.integers(0, 5))
        shape = [int(s) for s in rng.integers(1, 6, rank)]
        st = [int(s) for s in rng.integers(0, 40, rank)]
        so = int(rng.integers(0, 50))
        index = [int(rng.integers(0, s)) for s in shape]
        need = so + sum((s - 1) * t for s, t in zip(shape, st)) + 1
        base = torch.zeros(need)
        view = base.as_strided(shape, st, so)
        elem = view[tuple(index)] if index else view
        offsets.append({"index": index, "strides": st, "storage_offset": so,
                        "offset": int(elem.storage_offset())})

    # Sums over one dim of strided views: permuted layouts, gaps, stride 0,
    # storage offsets, negative dims.
    sums = []

    def add_sum(storage, shape, st, so, dim):
        view = np.lib.stride_tricks.as_strided(storage[so:], shape=shape,
                                               strides=[8 * t for t in st], writeable=False)
        sums.append({"storage": enc_list(storage), "shape": shape, "strides": st,
                     "storage_offset": so, "dim": dim,
                     "out_shape": [int(s) for s in np.delete(np.array(shape, dtype=np.int64), dim)],
                     "expected": enc_list(view.sum(axis=dim))})

    for _ in range(40):
        rank = int(rng.integers(1, 5))
        shape = [int(s) for s in rng.integers(1, 5, rank)]
        order = rng.permutation(rank)  # memory layout: order[-1] is innermost
        st = [0] * rank
        acc = 1
        for d in reversed(order):
            if rng.random() < 0.15:
                st[d] = 0  # an expanded dim
                continue
            st[d] = acc
            acc *= shape[d] + int(rng.integers(0, 2))  # sometimes a gap
        so = int(rng.integers(0, 4))
        need = so + sum((s - 1) * t for s, t in zip(shape, st)) + 1 + int(rng.integers(0, 3))
        storage = np.round(rng.standard_normal(need) * 8) / 8  # exact sums
        dim = int(rng.integers(-rank, rank))
        add_sum(storage, shape, st, so, dim)
    # Hand-picked: a transpose, a column slice, and a zero-size reduced dim.
    add_sum(np.arange(6.0), [3, 2], [1, 3], 0, 0)      # (2,3).T, summed over dim 0
    add_sum(np.arange(12.0), [3], [4], 1, 0)           # column 1 of a (3,4) matrix
    add_sum(np.arange(4.0), [2, 0], [1, 1], 0, 1)      # sum over a size-0 dim -> zeros
    return {"broadcast": broadcast, "contiguous_strides": strides,
            "element_offset": offsets, "sum_dim": sums}


# ---------------------------------------------------------------------------
# lab03: backward rules and whole graphs, by torch autograd (float64)
# ---------------------------------------------------------------------------
def arr(t):
    t = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return {"shape": [int(s) for s in t.shape], "values": enc_list(t)}


def leaf(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def lab03(rng):
    def randn(*shape):
        return rng.standard_normal(shape)

    def grads_of(fn, inputs, g):
        ts = [leaf(x) for x in inputs]
        out = fn(*ts)
        out.backward(torch.tensor(g))
        return out, [t.grad if t.grad is not None else torch.zeros_like(t) for t in ts]

    rules = {"mul": [], "div": [], "exp": [], "log": [], "sum": [], "add": [], "matmul": []}
    for shape in [(3,), (2, 3), (2, 2, 2), (1,), ()]:
        a, b, g = randn(*shape), randn(*shape), randn(*shape)
        _, (ga, gb) = grads_of(lambda x, y: x * y, [a, b], g)
        rules["mul"].append({"a": arr(a), "b": arr(b), "grad_out": arr(g), "ga": arr(ga), "gb": arr(gb)})
        bd = np.where(rng.random(shape) < 0.5, -1.0, 1.0) * rng.uniform(0.5, 2.0, shape)
        _, (ga, gb) = grads_of(lambda x, y: x / y, [a, bd], g)
        rules["div"].append({"a": arr(a), "b": arr(bd), "grad_out": arr(g), "ga": arr(ga), "gb": arr(gb)})
        ae = a * 2
        out, (ga,) = grads_of(torch.exp, [ae], g)
        rules["exp"].append({"a": arr(ae), "out": arr(out), "grad_out": arr(g), "ga": arr(ga)})
        al = rng.uniform(0.1, 5.0, shape)
        out, (ga,) = grads_of(torch.log, [al], g)
        rules["log"].append({"a": arr(al), "out": arr(out), "grad_out": arr(g), "ga": arr(ga)})
    for shape, dim in [((3,), 0), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1), ((2, 3, 4), 1),
                       ((2, 3, 4), -3), ((1, 5), 0), ((4, 1), 1)]:
        a = randn(*shape)
        g = randn(*np.delete(np.array(shape), dim))
        _, (ga,) = grads_of(lambda x: torch.sum(x, dim), [a], g)
        rules["sum"].append({"a_shape": list(shape), "dim": dim, "grad_out": arr(g), "ga": arr(ga)})
    for sa, sb in [((2, 3), (3,)), ((3, 1), (1, 4)), ((4, 1, 5), (3, 1)), ((), (2, 2)),
                   ((1,), (5,)), ((2, 3), (2, 3)), ((5, 1, 1), (1, 4, 1)), ((3,), (2, 1)),
                   ((2, 1, 3), (1,))]:
        out_shape = np.broadcast_shapes(sa, sb)
        g = randn(*out_shape)
        _, (ga, gb) = grads_of(lambda x, y: x + y, [np.zeros(sa), np.zeros(sb)], g)
        rules["add"].append({"a_shape": list(sa), "b_shape": list(sb), "grad_out": arr(g),
                             "ga": arr(ga), "gb": arr(gb)})
    for n, k, m in [(2, 3, 4), (1, 1, 1), (4, 1, 3), (3, 3, 3), (1, 5, 1), (5, 2, 1)]:
        a, b, g = randn(n, k), randn(k, m), randn(n, m)
        _, (ga, gb) = grads_of(lambda x, y: x @ y, [a, b], g)
        rules["matmul"].append({"a": arr(a), "b": arr(b), "grad_out": arr(g), "ga": arr(ga), "gb": arr(gb)})

    # Whole graphs. Written in topological order as (op, inputs, dim); the
    # ids are then shuffled so that no solution can rely on id order.
    graphs = {
        "square": [("Input", [], (3,)), ("Mul", [0, 0])],
        "x_plus_x_times_x": [("Input", [], (2, 2)), ("Add", [0, 0]), ("Mul", [1, 0])],
        "diamond": [("Input", [], (4,)), ("Exp", [0]), ("Log", [1]), ("Mul", [1, 2]),
                    ("Div", [3, 1]), ("Add", [4, 2])],
        "mlp_like": [("Input", [], (4, 3)), ("Input", [], (3, 2)), ("Input", [], (2,)),
                     ("MatMul", [0, 1]), ("Add", [3, 2]), ("Exp", [4]), ("Sum", [5], 1),
                     ("Log", [6]), ("Sum", [7], 0), ("Exp", [1])],   # node 9: not used by root
        "shared_weight": [("Input", [], (2, 2)), ("Input", [], (2, 2)), ("MatMul", [0, 1]),
                          ("MatMul", [2, 1]), ("Mul", [3, 3]), ("Sum", [4], -1), ("Sum", [5], 0)],
        "broadcast_chain": [("Input", [], (3, 1)), ("Input", [], (1, 4)), ("Add", [0, 1]),
                            ("Exp", [2]), ("Input", [], (4,)), ("Div", [3, 3]), ("Add", [5, 4]),
                            ("Mul", [6, 3])],
    }
    graph_cases = []
    for name, spec in graphs.items():
        n = len(spec)
        perm = rng.permutation(n)          # new id of old node i
        ts = []
        for op, ins, *extra in spec:
            if op == "Input":
                t = torch.tensor(rng.standard_normal(extra[0]) * 0.5, requires_grad=True)
            else:
                x = [ts[i] for i in ins]
                if op == "Mul": t = x[0] * x[1]
                elif op == "Div": t = x[0] / x[1]
                elif op == "Exp": t = torch.exp(x[0])
                elif op == "Log": t = torch.log(x[0])
                elif op == "Sum": t = torch.sum(x[0], extra[0])
                elif op == "Add": t = x[0] + x[1]
                elif op == "MatMul": t = x[0] @ x[1]
                else: raise ValueError(op)
                t.retain_grad()
            ts.append(t)
        root_old = n - 2 if name == "mlp_like" else n - 1
        seed = rng.standard_normal(tuple(ts[root_old].shape))
        ts[root_old].backward(torch.tensor(seed))
        nodes = [None] * n
        values = [None] * n
        grads = [None] * n
        for old, (op, ins, *extra) in enumerate(spec):
            new = int(perm[old])
            node = {"op": op, "inputs": [int(perm[i]) for i in ins]}
            if op == "Sum":
                node["dim"] = extra[0]
            nodes[new] = node
            values[new] = arr(ts[old])
            g = ts[old].grad
            grads[new] = arr(g if g is not None else torch.zeros_like(ts[old]))
        graph_cases.append({"name": name, "nodes": nodes, "root": int(perm[root_old]),
                            "values": values, "seed": arr(seed), "grads": grads})
    return {"rules": rules, "graphs": graph_cases}


# ---------------------------------------------------------------------------
# lab04: Linear and ReLU (torch, float64) and gradlab's Linear initialisation
# ---------------------------------------------------------------------------
MASK32 = 0xFFFFFFFF


def philox4x32(ctr, key):
    """Philox4x32-10, as core/random.cpp."""
    m0, m1, w0, w1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
    c, k = list(ctr), list(key)
    for _ in range(10):
        p0, p1 = m0 * c[0], m1 * c[2]
        c = [(p1 >> 32) ^ c[1] ^ k[0], p1 & MASK32, (p0 >> 32) ^ c[3] ^ k[1], p0 & MASK32]
        k = [(k[0] + w0) & MASK32, (k[1] + w1) & MASK32]
    return c


class PhiloxGenerator:
    """gradlab::Generator: one Philox block per counter value, words used in order."""

    def __init__(self, seed):
        self.seed, self.counter, self.block, self.index = seed, 0, None, 4

    def next_u32(self):
        if self.index >= 4:
            self.block = philox4x32([self.counter & MASK32, self.counter >> 32, 0, 0],
                                    [self.seed & MASK32, self.seed >> 32])
            self.counter += 1
            self.index = 0
        v = self.block[self.index]
        self.index += 1
        return v

    def uniform_double(self):
        hi = self.next_u32()
        u64 = (hi << 32) | self.next_u32()
        return (u64 >> 11) * 2.0 ** -53


def linear_init(fan_in, fan_out, seed):
    """nn.Linear's default init drawn from gradlab's generator: W then b."""
    gen = PhiloxGenerator(seed)
    bound_w = math.sqrt(2.0 / (1.0 + 5.0)) * math.sqrt(3.0 / fan_in)  # kaiming_uniform(a=sqrt(5))
    bound_b = 1.0 / math.sqrt(fan_in)
    W = [np.float32(-bound_w + 2 * bound_w * gen.uniform_double()) for _ in range(fan_out * fan_in)]
    b = [np.float32(-bound_b + 2 * bound_b * gen.uniform_double()) for _ in range(fan_out)]
    return np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)


def lab04(rng):
    linear = []
    for n, fin, fout in [(1, 1, 1), (4, 3, 2), (8, 16, 5), (2, 5, 7), (3, 1, 4)]:
        x, W, b = f32(rng.standard_normal((n, fin))), f32(rng.standard_normal((fout, fin)) * 0.5), \
            f32(rng.standard_normal(fout))
        dy = f32(rng.standard_normal((n, fout)))
        tx, tW, tb = leaf(x), leaf(W), leaf(b)
        y = F.linear(tx, tW, tb)
        y.backward(torch.tensor(dy))
        linear.append({"N": n, "in": fin, "out": fout, "x": enc_list(x), "W": enc_list(W),
                       "b": enc_list(b), "dy": enc_list(dy), "y": enc_list(y.detach()),
                       "dx": enc_list(tx.grad), "dW": enc_list(tW.grad), "db": enc_list(tb.grad)})
    relu = []
    for xs in [[-2.0, -0.5, 0.0, 0.5, 2.0], f32(rng.standard_normal(12) * 3), [0.0, 0.0, 1.0, -1.0]]:
        x = f32(xs)
        dy = f32(rng.standard_normal(len(x)))
        tx = leaf(x)
        y = torch.relu(tx)
        y.backward(torch.tensor(dy))
        relu.append({"x": enc_list(x), "dy": enc_list(dy), "y": enc_list(y.detach()),
                     "dx": enc_list(tx.grad)})
    init = []
    for fin, fout, seed in [(2, 32, 0), (32, 32, 1), (5, 3, 42), (1, 4, 7), (100, 2, 123456789012)]:
        W, b = linear_init(fin, fout, seed)
        init.append({"in": fin, "out": fout, "seed": seed, "W": enc_list(W), "b": enc_list(b)})
    return {"linear": linear, "relu": relu, "init": init}


# ---------------------------------------------------------------------------
# lab05: cross-entropy, mean over valid targets (torch, float64)
# ---------------------------------------------------------------------------
def lab05(rng):
    cases = []

    def add(name, logits, target, mask, ignore_index, grad_loss):
        logits = f32(logits)
        n, c = logits.shape
        target = np.asarray(target, dtype=np.int64)
        mask = [] if mask is None else [int(m) for m in mask]
        torch_target = target.copy()
        for i, m in enumerate(mask):
            if not m:
                torch_target[i] = ignore_index  # padding: what the mask means in torch terms
        valid = [(not mask or mask[i]) and torch_target[i] != ignore_index for i in range(n)]
        assert any(valid), name  # torch gives NaN for no valid target; the C++ stress tests cover it
        t = leaf(logits)
        loss = F.cross_entropy(t, torch.tensor(torch_target), ignore_index=ignore_index, reduction="mean")
        loss.backward(torch.tensor(float(np.float32(grad_loss)), dtype=torch.float64))
        cases.append({"name": name, "N": n, "C": c, "logits": enc_list(logits),
                      "target": [int(v) for v in target], "mask": mask,
                      "ignore_index": int(ignore_index), "grad_loss": float(np.float32(grad_loss)),
                      "loss": enc(loss.item()), "grad": enc_list(t.grad)})

    for n, c in [(1, 1), (4, 5), (8, 3), (16, 10), (3, 2), (12, 7)]:
        for ignore_index, use_mask in [(-100, False), (-100, True), (0, True), (2, False)]:
            logits = rng.standard_normal((n, c)) * 3
            target = rng.integers(0, c, n)
            mask = (rng.random(n) < 0.7).astype(int) if use_mask else None
            if rng.random() < 0.5 and n > 1:
                target[int(rng.integers(0, n))] = ignore_index if ignore_index < 0 else target[0]
            if mask is not None:
                mask[0] = 1
                target[0] = (ignore_index + 1) % c if ignore_index >= 0 else 0
            if ignore_index >= 0 and ignore_index < c and target[0] == ignore_index:
                target[0] = (ignore_index + 1) % c
            if c == 1 and ignore_index == 0:
                continue
            add(f"random_{n}x{c}_ii{ignore_index}_{'mask' if use_mask else 'nomask'}", logits, target,
                mask, ignore_index, rng.uniform(0.5, 2.0))
    # The course's stress rows, each a row of one batch.
    add("large_and_very_negative",
        [[1000, 1001, 1002], [-1000, -999, -998], [0, -200, 5], [10000, -10000, 0]],
        [0, 2, 1, 1], None, -100, 1.0)
    add("padding_with_garbage_targets", rng.standard_normal((6, 4)),
        [1, 999, 2, -7, 3, 0], [1, 0, 1, 0, 1, 1], -100, 1.0)
    add("ignore_index_is_padding_id_0", rng.standard_normal((5, 3)) * 2,
        [0, 1, 0, 2, 1], None, 0, 1.5)
    add("wide_vocabulary", rng.standard_normal((4, 1000)) * 10,
        rng.integers(0, 1000, 4), [1, 1, 0, 1], -100, 1.0)
    return {"cases": cases}


def main():
    torch.manual_seed(SEED)
    rng = lambda lab: np.random.default_rng([SEED, lab])  # one stream per lab
    write("lab01_tensors.json",
          "np.broadcast_shapes, torch contiguous strides and view offsets, "
          "sums over one dim of np.lib.stride_tricks.as_strided views (float64)",
          lab01(rng(1)))
    write("lab03_autograd.json",
          "torch.autograd gradients (float64) of mul, div, exp, log, sum, broadcast add, "
          "matmul, and of every node of small graphs (retain_grad)",
          lab03(rng(3)))
    write("lab04_linear.json",
          "F.linear and torch.relu forward and gradients (float64, inputs rounded to float32); "
          "nn.Linear default init drawn from gradlab's Philox4x32-10 generator "
          "(re-implemented here from core/random.cpp)",
          lab04(rng(4)))
    write("lab05_cross_entropy.json",
          "F.cross_entropy(reduction='mean', ignore_index) loss and gradient w.r.t. the "
          "logits in float64 (inputs rounded to float32); padded rows passed to torch as "
          "ignore_index",
          lab05(rng(5)))


if __name__ == "__main__":
    main()
