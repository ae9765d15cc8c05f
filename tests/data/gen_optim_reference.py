#!/usr/bin/python3
"""Golden optimizer data for tests/optim/, generated with PyTorch in float64.

Writes, next to this script:
  optim_trajectories.json  SGD / Adam / AdamW parameter trajectories (20 steps)
  optim_clip_grad.json     clip_grad_norm_ total norms and clipped gradients
  optim_schedules.json     StepLR and CosineAnnealingLR learning rates

The gradient at step t is a deterministic function of the current parameters,
    g_t = A * (p_t - target) + noise[t]        (elementwise, per parameter)
with A, target and noise stored in the file, so the trajectory depends on the
update rule and the C++ test can replay it exactly. Some cases leave a
parameter without a gradient at some steps (PyTorch then skips it entirely).

Run:  /usr/bin/python3 tests/data/gen_optim_reference.py
(Debian's python3-torch 1.13; the `python3` on a pyenv PATH lacks torch.)
"""
import json
import math
import os
import platform
import sys

import numpy as np
import torch

SEED = 1234
STEPS = 20
HERE = os.path.dirname(os.path.abspath(__file__))

torch.set_default_dtype(torch.float64)


def provenance(extra=None):
    p = {
        "generator": "tests/data/gen_optim_reference.py",
        "command": "/usr/bin/python3 tests/data/gen_optim_reference.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "seed": SEED,
        "dtype": "float64",
    }
    if extra:
        p.update(extra)
    return p


def flat(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


def write(name, obj):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")
    print("wrote", path)


# ---- trajectories ---------------------------------------------------------------

def make_problem():
    g = torch.Generator().manual_seed(SEED)
    shapes = [(3, 4), (5,)]
    params = []
    for i, shape in enumerate(shapes):
        params.append({
            "name": f"p{i}",
            "shape": list(shape),
            "init": torch.randn(shape, generator=g),
            "A": 0.5 + 1.5 * torch.rand(shape, generator=g),   # in [0.5, 2)
            "target": torch.randn(shape, generator=g),
            "noise": 0.1 * torch.randn((STEPS,) + shape, generator=g),
        })
    return params


CASES = [
    # name, optimizer, options (PyTorch keyword names), skip rule, lr per step
    ("sgd_plain", "SGD", {"lr": 0.1}, None, None),
    ("sgd_momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, None, None),
    ("sgd_nesterov_weight_decay", "SGD",
     {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}, None, None),
    ("sgd_momentum_weight_decay_skip", "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1},
     "p1_every_4th", None),
    ("adam", "Adam", {"lr": 0.05}, None, None),
    ("adam_weight_decay", "Adam",
     {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}, None, None),
    ("adam_amsgrad", "Adam", {"lr": 0.05, "betas": (0.9, 0.9), "amsgrad": True}, None, None),
    ("adam_skip", "Adam", {"lr": 0.05, "weight_decay": 0.02}, "p1_every_4th", None),
    ("adamw", "AdamW", {"lr": 0.05, "weight_decay": 0.1}, None, None),
    ("adamw_amsgrad", "AdamW", {"lr": 0.03, "weight_decay": 0.05, "amsgrad": True}, None, None),
    ("adamw_lr_schedule", "AdamW", {"lr": 0.05, "weight_decay": 0.2}, None,
     [0.05 * (0.5 + 0.5 * math.cos(math.pi * t / STEPS)) for t in range(STEPS)]),
]


def has_grad(rule, t, i):
    """False when parameter i gets no gradient at step t."""
    if rule is None:
        return True
    if rule == "p1_every_4th":
        return not (i == 1 and t % 4 == 3)
    raise ValueError(rule)


def run_case(problem, opt_name, options, rule, lrs):
    params = [pr["init"].clone().requires_grad_(True) for pr in problem]
    cls = getattr(torch.optim, opt_name)
    opt = cls(params, foreach=False, **options)
    trajectory = []
    for t in range(STEPS):
        if lrs is not None:
            for group in opt.param_groups:
                group["lr"] = lrs[t]
        with torch.no_grad():
            for i, (p, pr) in enumerate(zip(params, problem)):
                if has_grad(rule, t, i):
                    p.grad = pr["A"] * (p - pr["target"]) + pr["noise"][t]
                else:
                    p.grad = None
        opt.step()
        trajectory.append([flat(p) for p in params])
    return trajectory


def trajectories():
    problem = make_problem()
    cases = []
    for name, opt_name, options, rule, lrs in CASES:
        opts = dict(options)
        if "betas" in opts:
            opts["betas"] = list(opts["betas"])
        case = {
            "name": name,
            "optimizer": opt_name,
            "options": opts,
            "skip_rule": rule or "none",
            "trajectory": run_case(problem, opt_name, options, rule, lrs),
        }
        if lrs is not None:
            case["lr_per_step"] = lrs
        cases.append(case)
    return {
        "provenance": provenance(),
        "gradient_rule": "g_t = A * (p_t - target) + noise[t], elementwise per parameter, computed "
                         "in float64 from the parameters before step t. skip_rule p1_every_4th: "
                         "parameter 1 has no gradient (grad = None) when t % 4 == 3.",
        "steps": STEPS,
        "params": [{
            "name": pr["name"], "shape": pr["shape"], "init": flat(pr["init"]),
            "A": flat(pr["A"]), "target": flat(pr["target"]),
            "noise": [flat(pr["noise"][t]) for t in range(STEPS)],
        } for pr in problem],
        "cases": cases,
        "notes": "trajectory[t][i] = parameter i (flattened, row-major) after step t+1; "
                 "options use PyTorch's keyword names; foreach=False (single-tensor path); "
                 "lr_per_step (when present) is set before each step.",
    }


# ---- clip_grad_norm_ --------------------------------------------------------------

def clip_grad():
    g = torch.Generator().manual_seed(SEED + 1)
    shapes = [(2, 3), (4,), (1, 2, 2)]
    grads = [torch.randn(s, generator=g) * 3 for s in shapes]
    cases = []
    for max_norm in (0.5, 1000.0):
        for norm_type in (2.0, 1.0, 3.0, math.inf):
            params = [torch.zeros(s, requires_grad=True) for s in shapes]
            for p, gr in zip(params, grads):
                p.grad = gr.clone()
            total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
            cases.append({
                "max_norm": max_norm,
                "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                "total_norm": float(total),
                "clipped": [flat(p.grad) for p in params],
            })
    return {
        "provenance": provenance(),
        "shapes": [list(s) for s in shapes],
        "grads": [flat(x) for x in grads],
        "cases": cases,
        "notes": "clip_grad_norm_(params, max_norm, norm_type) on fresh copies of grads; "
                 "clipped = the gradients afterwards.",
    }


# ---- schedules ---------------------------------------------------------------------

def schedules():
    def record(make_sched, base_lr, n):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=base_lr)
        sched = make_sched(opt)
        lrs = []
        for _ in range(n):
            lrs.append(sched.get_last_lr()[0])
            opt.step()
            sched.step()
        return lrs

    step = {"base_lr": 0.1, "step_size": 3, "gamma": 0.5}
    cosine = {"base_lr": 0.1, "T_max": 20, "eta_min": 0.001}
    return {
        "provenance": provenance(),
        "step_lr": dict(step, lrs=record(
            lambda o: torch.optim.lr_scheduler.StepLR(o, step["step_size"], step["gamma"]),
            step["base_lr"], 12)),
        "cosine_annealing": dict(cosine, lrs=record(
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, cosine["T_max"], cosine["eta_min"]),
            cosine["base_lr"], 21)),
        "notes": "lrs[t] = scheduler.get_last_lr()[0] before the t-th optimizer step "
                 "(t counts epochs for StepLR, steps for CosineAnnealingLR).",
    }


if __name__ == "__main__":
    if not torch.__version__.startswith("1.13"):
        sys.exit(f"expected torch 1.13, got {torch.__version__}")
    write("optim_trajectories.json", trajectories())
    write("optim_clip_grad.json", clip_grad())
    write("optim_schedules.json", schedules())
