#!/usr/bin/python3
"""Side-by-side: gradlab's fused cross_entropy vs PyTorch 1.13, same run.

Workload (issue 3): logits (4096, 32000) float32, label_smoothing 0.1, every
7th target ignored (-100), reduction mean; forward + backward, at 1 and 2
threads. Reported per thread count:

  gradlab      bench_cross_entropy BM_CrossEntropy (loss.backward() through the
               autograd engine) and BM_CrossEntropyOp (the op's own backward,
               without the engine's leaf-gradient handling)
  pytorch      F.cross_entropy(x, t, label_smoothing=0.1).backward()
  floor        3 x logits bytes / copy bandwidth (BM_Copy, read+write bytes
               per second, measured in the same run at the same thread count)
  fp16         gradlab with Float16 logits (target: <= 0.7 x the fp32 time)
  peak extra   resident memory at the peak of one step beyond logits + grad

Usage (after building the bench target):
    cmake --build build --target bench_cross_entropy
    /usr/bin/python3 bench/compare_cross_entropy.py --build-dir build

The machine has few cores shared with others: the script prints the load
average before and after, and a second table of CPU time summed over threads
(process CPU time for both sides), which is steadier than wall time when other
jobs compete for the cores (it still includes memory-bandwidth contention).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

ROWS, CLASSES = 4096, 32000


def vm_kb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def time_torch(threads, reps):
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(2024)
    x = torch.randn(ROWS, CLASSES, generator=g)
    t = torch.randint(0, CLASSES, (ROWS,), generator=g)
    t[::7] = -100
    x.requires_grad_()

    def step():
        x.grad = None
        F.cross_entropy(x, t, label_smoothing=0.1).backward()

    step()  # warm up
    x.grad = None
    before = vm_kb("VmRSS:")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS
    step()
    peak_extra_mb = (vm_kb("VmHWM:") - before) * 1024 / 1e6 - x.numel() * 4 / 1e6
    times, cpus = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(times) * 1e3, statistics.median(cpus) * 1e3, peak_extra_mb


def run_gradlab(bench, reps):
    out = subprocess.run(
        [bench, "--benchmark_format=json", f"--benchmark_repetitions={reps}",
         "--benchmark_report_aggregates_only=true",
         "--benchmark_filter=BM_(CrossEntropy|CrossEntropyOp|Copy)/"],
        check=True, capture_output=True, text=True).stdout
    res = {}
    for b in json.loads(out)["benchmarks"]:
        # one repetition: the plain run; several: their median
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if b.get("run_type") == "iteration" and reps > 1:
            continue
        # "BM_Copy/threads:1/iterations:5/process_time/real_time" -> "BM_Copy/threads:1"
        name = b.get("run_name", b["name"]).split("/iterations")[0]
        scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
        res[name] = dict(b, ms=b["real_time"] * scale, cpu_ms=b["cpu_time"] * scale)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (median reported)")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    bench = os.path.join(args.build_dir, "bench", "bench_cross_entropy")
    if not os.path.exists(bench):
        sys.exit(f"{bench} not found: cmake --build {args.build_dir} --target bench_cross_entropy")

    load_before = os.getloadavg()
    g = run_gradlab(bench, args.reps)
    rows = []
    for th in args.threads:
        torch_ms, torch_cpu, torch_peak = time_torch(th, args.reps)
        ours = g[f"BM_CrossEntropy/threads:{th}/fp16:0"]
        op = g[f"BM_CrossEntropyOp/threads:{th}/fp16:0"]
        h = g[f"BM_CrossEntropy/threads:{th}/fp16:1"]
        hop = g[f"BM_CrossEntropyOp/threads:{th}/fp16:1"]
        copy = g[f"BM_Copy/threads:{th}"]
        bw = copy["bytes_per_second"]
        floor_ms = 3 * ROWS * CLASSES * 4 / bw * 1e3
        rows.append({
            "threads": th,
            "gradlab_ms": ours["ms"], "gradlab_op_ms": op["ms"], "pytorch_ms": torch_ms,
            "speedup": torch_ms / ours["ms"], "speedup_op": torch_ms / op["ms"],
            "copy_GBps": bw / 1e9, "floor_ms": floor_ms,
            "vs_floor": ours["ms"] / floor_ms, "op_vs_floor": op["ms"] / floor_ms,
            "fp16_ms": h["ms"], "fp16_op_ms": hop["ms"],
            "fp16_ratio": h["ms"] / ours["ms"], "fp16_op_ratio": hop["ms"] / op["ms"],
            "peak_extra_MB": ours["peak_extra_MB"], "op_peak_extra_MB": op["peak_extra_MB"],
            "pytorch_peak_extra_MB": torch_peak,
            # CPU time summed over threads (steadier under load)
            "cpu": {"gradlab_ms": ours["cpu_ms"], "gradlab_op_ms": op["cpu_ms"],
                    "pytorch_ms": torch_cpu, "speedup": torch_cpu / ours["cpu_ms"],
                    "copy_ms": copy["cpu_ms"], "floor_ms": 1.5 * copy["cpu_ms"],
                    "vs_floor": ours["cpu_ms"] / (1.5 * copy["cpu_ms"]),
                    "fp16_ms": h["cpu_ms"], "fp16_ratio": h["cpu_ms"] / ours["cpu_ms"]},
        })
    load_after = os.getloadavg()

    print(f"cross_entropy fwd+bwd, logits ({ROWS}, {CLASSES}) float32, eps 0.1, every 7th "
          f"target ignored, mean; median of {args.reps}")
    print(f"torch {torch.__version__}, python {platform.python_version()}, "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print("| threads | gradlab ms (op only) | PyTorch ms | speedup (op) | floor ms (copy GB/s) "
          "| gradlab / floor (op) | fp16 ms (op) | fp16 / fp32 (op) | peak extra MB (op) | PyTorch peak extra MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['threads']} | {r['gradlab_ms']:.1f} ({r['gradlab_op_ms']:.1f}) | {r['pytorch_ms']:.1f} "
              f"| {r['speedup']:.1f}x ({r['speedup_op']:.1f}x) | {r['floor_ms']:.1f} ({r['copy_GBps']:.1f}) "
              f"| {r['vs_floor']:.2f} ({r['op_vs_floor']:.2f}) | {r['fp16_ms']:.1f} ({r['fp16_op_ms']:.1f}) "
              f"| {r['fp16_ratio']:.2f} ({r['fp16_op_ratio']:.2f}) "
              f"| {r['peak_extra_MB']:.1f} ({r['op_peak_extra_MB']:.2f}) | {r['pytorch_peak_extra_MB']:.0f} |")
    print("CPU time summed over threads (ms), the steadier figure on a shared machine; "
          "floor = 1.5 x the copy's CPU time:")
    print("| threads | gradlab | PyTorch | speedup | floor | gradlab / floor | fp16 | fp16 / fp32 |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        c = r["cpu"]
        print(f"| {r['threads']} | {c['gradlab_ms']:.1f} | {c['pytorch_ms']:.1f} | {c['speedup']:.1f}x "
              f"| {c['floor_ms']:.1f} | {c['vs_floor']:.2f} | {c['fp16_ms']:.1f} | {c['fp16_ratio']:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load_before": load_before, "load_after": load_after, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
