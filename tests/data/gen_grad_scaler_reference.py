#!/usr/bin/python3 -O
"""Golden GradScaler trajectories for tests/optim/grad_scaler_test.cpp, from
PyTorch 1.13's own torch.cuda.amp.GradScaler class, run on the CPU.

PyTorch 1.13's GradScaler is CUDA-only in three places, each replaced here by
the smallest CPU stand-in, and nothing else of the class is touched:
  * amp_definitely_not_available() (the constructor would disable the scaler
    without CUDA) is made to return False;
  * the two kernels it calls exist only for CUDA in 1.13, so CPU versions are
    registered with torch.library, transcribed line by line from
    aten/src/ATen/native/cuda/AmpKernels.cu (1.13):
      _amp_foreach_non_finite_check_and_unscale_: found_inf = 1 if any
          element of any gradient is inf/NaN; every gradient *= inv_scale
          (left alone when inv_scale == 1)
      _amp_update_scale_: found_inf ? (scale = float(scale * backoff),
          tracker = 0) : (tracker + 1 == interval ? (scale = float(scale *
          growth) unless inf, tracker = 0) : tracker += 1), the products in
          double, the results stored in float32
  * `assert outputs.is_cuda` in scale() and in the per-device replicator: the
    script runs under `python3 -O`, which drops asserts (it refuses to run
    without -O).

The problem: parameters p_i, and at step t the loss
    L_t = sum_i sum(p_i * c_i),   c_i = A_i * (p_i - target_i) + noise_i[t]
(c computed from the current parameters and then held constant), so the
gradient reaching p_i through scaler.scale(L_t).backward() is S * c_i. Cases
inject inf / NaN into c at given steps, or multiply c by a huge factor so
that S * c overflows; some unscale_ and clip the gradient norm before
stepping; one calls update(new_scale); one drives two optimizers.

Recorded per step: the scale used, whether each optimizer stepped, the scale
and growth tracker after update(), every parameter after the step, and the
final state_dict().

Run:  /usr/bin/python3 -O tests/data/gen_grad_scaler_reference.py
(Debian's python3-torch 1.13; the `python3` on a pyenv PATH lacks torch.)
Writes tests/data/optim_grad_scaler.json next to this script.
"""
import json
import math
import os
import platform
import sys

import numpy as np
import torch
import torch.cuda.amp.grad_scaler as grad_scaler_module

if __debug__:
    sys.exit("run with python3 -O (see the docstring: GradScaler asserts CUDA tensors)")

SEED = 4321
HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = "/usr/bin/python3 -O tests/data/gen_grad_scaler_reference.py"

# ---- the CPU stand-ins ------------------------------------------------------------
grad_scaler_module.amp_definitely_not_available = lambda: False
_lib = torch.library.Library("aten", "IMPL")


def _foreach_non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    inv = inv_scale.item()
    for g in grads:
        if not bool(torch.isfinite(g).all()):
            found_inf.fill_(1.0)
        if inv != 1.0:
            g.mul_(inv_scale)


def _update_scale_(scale, growth_tracker, found_inf, growth_factor, backoff_factor,
                   growth_interval):
    s = float(scale.item())
    if found_inf.item():
        scale.fill_(float(np.float32(s * backoff_factor)))
        growth_tracker.fill_(0)
    else:
        successful = int(growth_tracker.item()) + 1
        if successful == growth_interval:
            with np.errstate(over="ignore"):
                new_scale = np.float32(s * growth_factor)
            if np.isfinite(new_scale):
                scale.fill_(float(new_scale))
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)
    return scale


_lib.impl("_amp_foreach_non_finite_check_and_unscale_", _foreach_non_finite_check_and_unscale_,
          "CPU")
_lib.impl("_amp_update_scale_", _update_scale_, "CPU")

# ---- the cases ----------------------------------------------------------------------
SHAPES = [(3, 4), (5,)]

CASES = [
    {
        # Growth every 3 good steps, backoff on inf, NaN and overflow; unscale_
        # + clip on even steps.
        "name": "sgd_momentum_growth_and_backoff",
        "dtype": "float64",
        "steps": 24,
        "scaler": {"init_scale": 1024.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                   "growth_interval": 3},
        "optimizers": [{"type": "SGD", "params": [0, 1],
                        "options": {"lr": 0.05, "momentum": 0.9}}],
        "inject": [
            {"step": 5, "param": 0, "index": 2, "value": "inf"},
            {"step": 9, "param": 1, "index": 4, "value": "nan"},
            {"step": 10, "param": 0, "index": 0, "value": "-inf"},
            # |S c| > DBL_MAX while S is large: several halvings in a row.
            {"step": 15, "param": 1, "multiply": 1e306},
            {"step": 16, "param": 1, "multiply": 1e306},
            {"step": 17, "param": 1, "multiply": 1e306},
        ],
        "clip_steps": list(range(0, 24, 2)),
        "max_norm": 1.0,
    },
    {
        # PyTorch's defaults (2^16, 2, 0.5, 2000) with Adam.
        "name": "adam_defaults",
        "dtype": "float64",
        "steps": 12,
        "scaler": {},
        "optimizers": [{"type": "Adam", "params": [0, 1], "options": {"lr": 0.01}}],
        "inject": [{"step": 3, "param": 1, "index": 0, "value": "inf"}],
        "clip_steps": [],
    },
    {
        # Growth would overflow float32 (2^126 * 4 = 2^128): the scale stays,
        # the tracker resets.
        "name": "growth_capped_below_float32_inf",
        "dtype": "float64",
        "steps": 6,
        "scaler": {"init_scale": 2.0 ** 126, "growth_factor": 4.0, "backoff_factor": 0.25,
                   "growth_interval": 1},
        "optimizers": [{"type": "SGD", "params": [0, 1], "options": {"lr": 0.1}}],
        "inject": [{"step": 4, "param": 0, "index": 1, "value": "nan"}],
        "clip_steps": [],
    },
    {
        # Two optimizers: an inf in the Adam's parameter skips the Adam step
        # only, and the shared scale halves.
        "name": "two_optimizers",
        "dtype": "float64",
        "steps": 10,
        "scaler": {"init_scale": 256.0, "growth_interval": 4},
        "optimizers": [
            {"type": "SGD", "params": [0], "options": {"lr": 0.05, "momentum": 0.5}},
            {"type": "Adam", "params": [1], "options": {"lr": 0.02}},
        ],
        "inject": [{"step": 4, "param": 1, "index": 3, "value": "inf"},
                   {"step": 7, "param": 0, "index": 5, "value": "nan"}],
        "clip_steps": [],
    },
    {
        # update(new_scale) at step 7 (the tracker, 1 by then, is kept).
        "name": "update_with_new_scale",
        "dtype": "float64",
        "steps": 10,
        "scaler": {"init_scale": 64.0, "growth_interval": 3},
        "optimizers": [{"type": "SGD", "params": [0, 1], "options": {"lr": 0.1}}],
        "inject": [],
        "clip_steps": [],
        "new_scale": {"step": 7, "value": 8.0},
    },
    {
        # float32 master weights: S c overflows float32 (not float64) at step
        # 4; NaN at step 7.
        "name": "float32_master_weights",
        "dtype": "float32",
        "steps": 12,
        "scaler": {"init_scale": 2.0 ** 12, "growth_interval": 2},
        "optimizers": [{"type": "Adam", "params": [0, 1], "options": {"lr": 0.01}}],
        "inject": [{"step": 4, "param": 0, "multiply": 1e35},
                   {"step": 7, "param": 1, "index": 2, "value": "nan"}],
        "clip_steps": [1, 2, 3],
        "max_norm": 0.5,
    },
]


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def special(v):
    return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}[v]


def make_problem():
    g = torch.Generator().manual_seed(SEED)
    steps = max(c["steps"] for c in CASES)
    params = []
    for shape in SHAPES:
        params.append({
            "shape": list(shape),
            "init": torch.randn(shape, generator=g, dtype=torch.float64),
            "A": 0.5 + 1.5 * torch.rand(shape, generator=g, dtype=torch.float64),
            "target": torch.randn(shape, generator=g, dtype=torch.float64),
            "noise": 0.1 * torch.randn((steps,) + shape, generator=g, dtype=torch.float64),
        })
    return params, steps


def run_case(case, problem):
    dtype = {"float64": torch.float64, "float32": torch.float32}[case["dtype"]]
    # The problem is stored as float64; a float32 case rounds it first (the
    # C++ test does the same).
    P = [q["init"].to(dtype).clone().requires_grad_(True) for q in problem]
    A = [q["A"].to(dtype) for q in problem]
    T = [q["target"].to(dtype) for q in problem]
    N = [q["noise"].to(dtype) for q in problem]
    opts = []
    for o in case["optimizers"]:
        ps = [P[i] for i in o["params"]]
        if o["type"] == "SGD":
            opts.append(torch.optim.SGD(ps, **o["options"]))
        else:
            opts.append(torch.optim.Adam(ps, **o["options"]))
    scaler = torch.cuda.amp.GradScaler(**case["scaler"])
    trajectory = []
    for t in range(case["steps"]):
        for o in opts:
            o.zero_grad(set_to_none=True)
        with torch.no_grad():
            C = [A[i] * (P[i] - T[i]) + N[i][t] for i in range(len(P))]
            for inj in case["inject"]:
                if inj["step"] != t:
                    continue
                c = C[inj["param"]].view(-1)
                if "value" in inj:
                    c[inj["index"]] = special(inj["value"])
                else:
                    c.mul_(inj["multiply"])
        loss = sum((P[i] * C[i]).sum() for i in range(len(P)))
        scale_used = scaler.get_scale()
        scaler.scale(loss).backward()
        if t in case["clip_steps"]:
            for o in opts:
                scaler.unscale_(o)
            torch.nn.utils.clip_grad_norm_(P, case["max_norm"])
        stepped = []
        for o in opts:
            scaler.step(o)
            # The scaler's own record of this optimizer's inf/NaN checks.
            found = scaler._per_optimizer_states[id(o)]["found_inf_per_device"].values()
            stepped.append(sum(v.item() for v in found) == 0)
        ns = case.get("new_scale")
        if ns and ns["step"] == t:
            scaler.update(ns["value"])
        else:
            scaler.update()
        trajectory.append({
            "scale_used": scale_used,
            "stepped": stepped,
            "scale": scaler.get_scale(),
            "growth_tracker": int(scaler._get_growth_tracker()),
            "params": [flat(p) for p in P],
        })
    state = scaler.state_dict()
    return trajectory, {k: (float(v) if isinstance(v, float) else int(v)) for k, v in state.items()}


def main():
    problem, steps = make_problem()
    out = {
        "provenance": {
            "generator": "tests/data/gen_grad_scaler_reference.py",
            "command": COMMAND,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "seed": SEED,
            "reference": "torch.cuda.amp.GradScaler (1.13) on the CPU; stand-ins in the docstring",
        },
        "steps": steps,
        "params": [{
            "shape": q["shape"],
            "init": flat(q["init"]),
            "A": flat(q["A"]),
            "target": flat(q["target"]),
            "noise": [flat(n) for n in q["noise"]],
        } for q in problem],
        "cases": [],
    }
    for case in CASES:
        trajectory, state = run_case(case, problem)
        c = dict(case)
        c["trajectory"] = trajectory
        c["final_state"] = state
        out["cases"].append(c)
        skipped = sum(1 for s in trajectory for x in s["stepped"] if not x)
        print(f"{case['name']}: {len(trajectory)} steps, {skipped} skipped, "
              f"final scale {trajectory[-1]['scale']}")
    path = os.path.join(HERE, "optim_grad_scaler.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
