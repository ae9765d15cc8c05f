#!/usr/bin/python3
"""Golden data for the lab suites of phases 06-09, generated with PyTorch in float64.

Writes, next to this script (tests/data/labs/):
  optim_trajectories.json        phase 06: SGD / Adam / AdamW, 20-step trajectories
  training_reference.json        phase 07: one epoch of SGD and an evaluation, fixed weights
  precision_smoothing_reference.json  phase 08: label-smoothed cross-entropy (+ fp16
                                 inputs) and GradScaler's dynamic loss-scale rule
  debugging_reference.json       phase 09: losses of the fixed set-ups on fixed inputs

Every file carries a "provenance" object (tool versions, seed, command).
Run:  /usr/bin/python3 tests/data/labs/gen_labs_b_reference.py [06] [07] [08] [09]
(no argument: every phase; Debian's python3-torch 1.13 — the `python3` on a
pyenv PATH lacks torch). The output is deterministic: rerunning it rewrites
byte-identical files.
"""
import json
import os
import platform
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240605
HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = "/usr/bin/python3 tests/data/labs/gen_labs_b_reference.py"

torch.set_default_dtype(torch.float64)


def provenance(extra=None):
    p = {
        "generator": "tests/data/labs/gen_labs_b_reference.py",
        "command": COMMAND,
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
        json.dump(obj, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


# =====================================================================================
# phase 06: optimizer trajectories
# =====================================================================================
OPT_STEPS = 20
OPT_N = 12

# name, torch class, options (PyTorch keyword names). Each case is chosen so that
# at least one bug-zoo mistake changes its trajectory:
#   dampening > 0 separates "first buffer = grad" from "first buffer = zeros";
#   nesterov separates Nesterov from plain momentum;
#   a large eps separates sqrt(v) + eps from sqrt(v + eps);
#   weight decay separates Adam's L2 from AdamW's decoupled decay.
OPT_CASES = [
    ("sgd_plain", "SGD", {"lr": 0.1}),
    ("sgd_weight_decay", "SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("sgd_momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd_momentum_dampening", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.5}),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("sgd_nesterov_weight_decay", "SGD",
     {"lr": 0.03, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05}),
    ("adam", "Adam", {"lr": 0.05}),
    ("adam_betas", "Adam", {"lr": 0.02, "betas": (0.8, 0.99)}),
    ("adam_large_eps", "Adam", {"lr": 0.05, "eps": 0.1}),
    ("adam_weight_decay", "Adam", {"lr": 0.05, "weight_decay": 0.2}),
    ("adamw", "AdamW", {"lr": 0.05, "weight_decay": 0.2}),
    ("adamw_strong_decay", "AdamW", {"lr": 0.02, "betas": (0.85, 0.98), "eps": 1e-3,
                                     "weight_decay": 1.0}),
]


def opt_problem():
    g = torch.Generator().manual_seed(SEED)
    return {
        "init": torch.randn(OPT_N, generator=g),
        "A": 0.5 + 1.5 * torch.rand(OPT_N, generator=g),      # curvature in [0.5, 2)
        "target": torch.randn(OPT_N, generator=g),
        "noise": 0.1 * torch.randn((OPT_STEPS, OPT_N), generator=g),
    }


def opt_run(problem, cls_name, options):
    p = problem["init"].clone().requires_grad_(True)
    opt = getattr(torch.optim, cls_name)([p], foreach=False, **options)
    trajectory = []
    for t in range(OPT_STEPS):
        with torch.no_grad():
            p.grad = problem["A"] * (p - problem["target"]) + problem["noise"][t]
        opt.step()
        trajectory.append(flat(p))
    st = opt.state[p]
    if cls_name == "SGD":
        buf = st.get("momentum_buffer")
        final = {"momentum_buffer": flat(buf) if buf is not None else []}
    else:
        final = {"step": int(st["step"]), "exp_avg": flat(st["exp_avg"]),
                 "exp_avg_sq": flat(st["exp_avg_sq"])}
    return trajectory, final


def optim_trajectories():
    problem = opt_problem()
    cases = []
    for name, cls_name, options in OPT_CASES:
        trajectory, final = opt_run(problem, cls_name, options)
        full = {"lr": options["lr"]}
        if cls_name == "SGD":
            full.update(momentum=options.get("momentum", 0.0), dampening=options.get("dampening", 0.0),
                        weight_decay=options.get("weight_decay", 0.0),
                        nesterov=options.get("nesterov", False))
        else:
            betas = options.get("betas", (0.9, 0.999))
            full.update(beta1=betas[0], beta2=betas[1], eps=options.get("eps", 1e-8),
                        weight_decay=options.get("weight_decay", 0.0 if cls_name == "Adam" else 1e-2))
        cases.append({"name": name, "optimizer": cls_name, "options": full,
                      "trajectory": trajectory, "final_state": final})
    return {
        "provenance": provenance({"torch_call": "torch.optim.<SGD|Adam|AdamW>([p], foreach=False, ...)"}),
        "gradient_rule": "g_t = A * (p_t - target) + noise[t] (elementwise), computed in float64 "
                         "from the parameter before step t",
        "steps": OPT_STEPS,
        "init": flat(problem["init"]),
        "A": flat(problem["A"]),
        "target": flat(problem["target"]),
        "noise": [flat(problem["noise"][t]) for t in range(OPT_STEPS)],
        "cases": cases,
        "notes": "trajectory[t] = the parameter after step t+1. final_state is the optimizer's "
                 "state after the last step (momentum_buffer for SGD; step, exp_avg, exp_avg_sq "
                 "for Adam/AdamW). Options are complete (defaults filled in).",
    }


# =====================================================================================
# phase 07: one epoch of training, one evaluation
# =====================================================================================
def state_dict_json(model):
    return [{"name": k, "shape": list(v.shape), "values": flat(v)} for k, v in model.state_dict().items()]


def training_reference():
    g = torch.Generator().manual_seed(SEED + 7)
    n, classes = 50, 3
    # Three noisy spiral arms in 2-D (float64), labels 0..2 grouped by class.
    per = [17, 17, 16]
    xs, ys = [], []
    for k, m in enumerate(per):
        t = torch.linspace(0.05, 1.0, m)
        angle = 4.0 * (k + t) + 0.2 * torch.randn(m, generator=g)
        xs.append(torch.stack([t * torch.sin(angle), t * torch.cos(angle)], dim=1))
        ys.append(torch.full((m,), k, dtype=torch.int64))
    x, y = torch.cat(xs), torch.cat(ys)

    # (a) one epoch of SGD with momentum over fixed shuffled batches of 8 (the
    #     last batch holds 2), from fixed weights.
    torch.manual_seed(SEED + 70)
    train_model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, classes))
    init = state_dict_json(train_model)
    perm = torch.randperm(n, generator=g)
    batches = [perm[i:i + 8].tolist() for i in range(0, n, 8)]
    opt = torch.optim.SGD(train_model.parameters(), lr=0.2, momentum=0.9, foreach=False)
    total, count = 0.0, 0
    for idx in batches:
        opt.zero_grad()
        loss = F.cross_entropy(train_model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += float(loss) * len(idx)
        count += len(idx)

    # (b) evaluation of a model with dropout (eval mode: dropout off), batches of 16.
    torch.manual_seed(SEED + 71)
    eval_model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                                     torch.nn.Linear(16, classes))
    eval_model.eval()
    with torch.no_grad():
        logits = eval_model(x)
        eval_loss = float(F.cross_entropy(logits, y, reduction="sum")) / n
        correct = int((logits.argmax(dim=1) == y).sum())

    return {
        "provenance": provenance({"torch_calls": "torch.nn.Sequential/Linear/ReLU/Dropout, "
                                  "torch.optim.SGD(lr=0.2, momentum=0.9, foreach=False), "
                                  "torch.nn.functional.cross_entropy"}),
        "features": [flat(r) for r in x],
        "labels": y.tolist(),
        "num_classes": classes,
        "train": {
            "model": "Sequential(Linear(2,16), ReLU, Linear(16,3))",
            "optimizer": {"name": "SGD", "lr": 0.2, "momentum": 0.9},
            "init": init,
            "batches": batches,
            "mean_loss": total / count,
            "final": state_dict_json(train_model),
        },
        "eval": {
            "model": "Sequential(Linear(2,16), ReLU, Dropout(0.5), Linear(16,3)) in eval mode",
            "weights": state_dict_json(eval_model),
            "batch_size": 16,
            "loss": eval_loss,
            "correct": correct,
            "count": n,
        },
        "notes": "train.mean_loss = sum over batches of (batch mean loss, before its step) * "
                 "batch size / examples; final = the state dict after the epoch. "
                 "eval.loss = mean cross-entropy per example with the model in eval mode.",
    }


# =====================================================================================
# phase 08: label smoothing, fp16 logits, dynamic loss scaling
# =====================================================================================
def f32(t):
    """Round to float32 and back: the values the C++ side can hold exactly."""
    return t.to(torch.float32).to(torch.float64)


def f16(t):
    """Round to float16 and back (round to nearest even)."""
    return t.to(torch.float16).to(torch.float64)


def smoothed_case(name, logits, target, eps, ignore_index):
    x = logits.clone().requires_grad_(True)
    loss = F.cross_entropy(x, target, label_smoothing=eps, ignore_index=ignore_index)
    loss.backward()
    return {"name": name, "N": int(x.shape[0]), "C": int(x.shape[1]), "label_smoothing": eps,
            "ignore_index": ignore_index, "logits": flat(logits), "target": target.tolist(),
            "loss": float(loss), "grad": flat(x.grad)}


def precision_reference():
    g = torch.Generator().manual_seed(SEED + 8)
    smoothed = []
    x = f32(3 * torch.randn((6, 5), generator=g))
    smoothed.append(smoothed_case("basic_eps0.1_one_ignored", x, torch.tensor([0, 4, -100, 2, 2, 1]), 0.1, -100))
    x = f32(2 * torch.randn((4, 3), generator=g))
    smoothed.append(smoothed_case("no_smoothing", x, torch.tensor([2, 0, 1, 1]), 0.0, -100))
    x = f32(2 * torch.randn((3, 4), generator=g))
    smoothed.append(smoothed_case("full_smoothing_eps1", x, torch.tensor([3, 0, 1]), 1.0, -100))
    x = f32(4 * torch.randn((8, 6), generator=g))
    smoothed.append(smoothed_case("padding_id_0_is_ignored", x, torch.tensor([0, 3, 0, 5, 1, 0, 0, 2]), 0.2, 0))
    x = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0], [0.0, -1000.0, -2000.0],
                      [50.0, -50.0, 0.0]])
    smoothed.append(smoothed_case("extreme_logits", x, torch.tensor([0, 2, 2, 1]), 0.1, -100))
    x = f32(5 * torch.randn((3, 1000), generator=g))
    smoothed.append(smoothed_case("vocabulary_1000", x, torch.tensor([17, 999, 0]), 0.1, -100))

    fp16 = []
    for name, x, target, eps, scale in [
        ("small_scale_1024", f16(4 * torch.randn((4, 8), generator=g)), torch.tensor([1, 7, 0, 3]), 0.1, 1024.0),
        ("near_fp16_max", torch.tensor([[65504.0, 60000.0, -65504.0, 0.0], [-65504.0, -65504.0, -64992.0, 65504.0]]),
         torch.tensor([1, 3]), 0.0, 1.0),
        ("vocabulary_2048_scale_65536", f16(torch.randn((3, 2048), generator=g)), torch.tensor([5, 2047, 100]), 0.1,
         65536.0),
        ("ignored_row", f16(2 * torch.randn((3, 5), generator=g)), torch.tensor([4, -100, 0]), 0.3, 8.0),
    ]:
        assert torch.equal(x, f16(x)), name
        case = smoothed_case(name, x, target, eps, -100)
        case["loss_scale"] = scale
        # The gradient of loss_scale * loss, rounded once to fp16.
        case["grad16"] = flat(f16(torch.tensor(case["grad"]) * scale))
        del case["grad"]
        fp16.append(case)

    # GradScaler on a quadratic: float32 master weights, fp16 gradients of
    # scale * loss. Mirrors torch.cuda.amp.GradScaler (PyTorch 1.13): unscale_
    # multiplies by inv_scale = scale.double().reciprocal().float() and sets
    # found_inf when any gradient is inf/NaN; step() is skipped when found_inf;
    # update() is _amp_update_scale_ (aten/src/ATen/native/cuda/AmpKernels.cu):
    #   found_inf: scale *= backoff, tracker = 0
    #   else: tracker + 1 == growth_interval ? (scale *= growth if finite, tracker = 0)
    #                                        : tracker += 1
    # (The CUDA-only kernels cannot run on this CPU build, so the rule is
    # replayed here with float32/float16 tensor arithmetic.)
    n, steps = 6, 40
    A = f32(0.5 + 1.5 * torch.rand(n, generator=g)).float()
    target = f32(2 * torch.randn(n, generator=g)).float()
    w = f32(3 * torch.randn(n, generator=g)).float()
    w0 = w.clone()
    lr, growth, backoff, interval = 0.05, 2.0, 0.5, 3
    scale = torch.tensor(65536.0, dtype=torch.float32)
    tracker = 0
    trace = []
    for _ in range(steps):
        grad = A * (w - target)                        # float32
        g16 = (scale * grad).to(torch.float16)          # backward in fp16 (overflow -> inf)
        inv_scale = scale.double().reciprocal().float()
        found_inf = not bool(torch.isfinite(g16).all())
        g32 = g16.float() * inv_scale
        if not found_inf:
            w = w - torch.tensor(lr, dtype=torch.float32) * g32
        if found_inf:
            scale = scale * backoff
            tracker = 0
        elif tracker + 1 == interval:
            grown = scale * growth
            if bool(torch.isfinite(grown)):
                scale = grown
            tracker = 0
        else:
            tracker += 1
        trace.append({"applied": not found_inf, "scale": float(scale), "growth_tracker": tracker,
                      "master": flat(w)})
    scaler = {
        "n": n, "steps": steps, "lr": lr, "init_scale": 65536.0, "growth_factor": growth,
        "backoff_factor": backoff, "growth_interval": interval,
        "A": flat(A), "target": flat(target), "init": flat(w0),
        "gradient_rule": "grad = A * (w - target) in float32; grads16 = fp16(scale * grad) "
                         "(float32 product rounded to nearest-even fp16; overflow -> inf)",
        "trace": trace,
    }
    return {
        "provenance": provenance({
            "torch_calls": "torch.nn.functional.cross_entropy(label_smoothing, ignore_index) in float64; "
                           "GradScaler rule replayed with float32/float16 tensors (CUDA-only kernels)",
            "note": "smoothed logits are float32-representable, fp16 logits fp16-representable"}),
        "smoothed": smoothed,
        "fp16": fp16,
        "scaler": scaler,
        "notes": "smoothed[].grad = d mean-loss / d logits (float64). fp16[].grad16 = "
                 "fp16(loss_scale * grad), rounded once from float64. loss is the unscaled mean "
                 "over non-ignored rows.",
    }


# =====================================================================================
# phase 09: the fixed set-ups' losses on fixed inputs
# =====================================================================================
def debugging_reference():
    g = torch.Generator().manual_seed(SEED + 9)
    # 3. classification loss (fused log-softmax + NLL) on float32 logits,
    #    including gaps far beyond float32's exp range.
    x = torch.tensor([[1000.0, 0.0, -1000.0], [0.5, -0.25, 3.0], [-50.0, 60.0, 0.0], [0.0, -200.0, 300.0]])
    y = torch.tensor([2, 0, 0, 1])
    xr = x.clone().requires_grad_(True)
    loss = F.cross_entropy(xr, y)
    loss.backward()
    classification = {"logits": flat(x), "shape": [4, 3], "target": y.tolist(), "loss": float(loss),
                      "grad": flat(xr.grad)}
    # 4. sequence loss: (B, T, C) = (3, 5, 4), pad id 0 marks padding.
    B, T, C = 3, 5, 4
    x = f32(2 * torch.randn((B, T, C), generator=g))
    y = torch.tensor([[2, 1, 3, 0, 0], [1, 1, 2, 3, 2], [3, 0, 0, 0, 0]])
    xr = x.clone().requires_grad_(True)
    loss = F.cross_entropy(xr.reshape(-1, C), y.reshape(-1), ignore_index=0)
    loss.backward()
    sequence = {"logits": flat(x), "shape": [B, T, C], "target": flat(y.double()), "pad_id": 0,
                "loss": float(loss), "grad": flat(xr.grad)}
    # 5. fp16 logits up to 65504, computed in float64 from the fp16 values.
    x = torch.tensor([[12.0, 0.0, -3.5, 11.5, 2.0], [60000.0, -60000.0, 0.0, 59968.0, 1.0],
                      [-65504.0, -65504.0, -65504.0, -65504.0, -65472.0]])
    assert torch.equal(x, f16(x))
    y = torch.tensor([1, 3, 0])
    xr = x.clone().requires_grad_(True)
    loss = F.cross_entropy(xr, y)
    loss.backward()
    fp16 = {"logits": flat(x), "shape": [3, 5], "target": y.tolist(), "loss": float(loss),
            "grad16": flat(f16(xr.grad))}
    # The global gradient norm, as torch.nn.utils.clip_grad_norm_ reports it.
    grads = [torch.randn(s, generator=g) * 3 for s in [(2, 3), (4,), (3, 1, 2)]]
    params = [torch.zeros(gr.shape, requires_grad=True) for gr in grads]
    for p, gr in zip(params, grads):
        p.grad = gr.clone()
    norm = float(torch.nn.utils.clip_grad_norm_(params, float("inf")))
    return {
        "provenance": provenance({"torch_calls": "torch.nn.functional.cross_entropy (ignore_index), "
                                  "torch.nn.utils.clip_grad_norm_(max_norm=inf)"}),
        "classification_loss": classification,
        "sequence_loss": sequence,
        "fp16_loss": fp16,
        "grad_norm": {"shapes": [list(gr.shape) for gr in grads], "grads": [flat(gr) for gr in grads],
                      "norm": norm},
        "notes": "losses are means over non-ignored targets; grad = d loss / d logits in float64; "
                 "grad16 = that gradient rounded to fp16.",
    }


SECTIONS = {
    "06": lambda: write("optim_trajectories.json", optim_trajectories()),
    "07": lambda: write("training_reference.json", training_reference()),
    "08": lambda: write("precision_smoothing_reference.json", precision_reference()),
    "09": lambda: write("debugging_reference.json", debugging_reference()),
}

if __name__ == "__main__":
    if not torch.__version__.startswith("1.13"):
        sys.exit(f"expected torch 1.13, got {torch.__version__}")
    wanted = sys.argv[1:] or sorted(SECTIONS)
    for key in wanted:
        SECTIONS[key]()
