"""Engine speed and memory, as ratios measured in one run (machines are shared and noisy).

    python benchmarks/bench_engine.py [--quick]

(a) chain of 1,000 elementwise ops on a 3-element tensor, forward + backward, µs per op
(b) MLP step 784-256-10 (forward, MSE loss, backward, SGD) at batch 64 and 256, written with plain
    tensors (mm, +, relu) and with nn.Linear / nn.MSELoss (addmm, mse_loss), as PyTorch users write it;
    the plain-tensor step also runs on floor_engine.py, the least any Python autograd can do, as a yardstick
(c) 1024x1024 matmul forward + backward
(d) peak memory of a 10,000-op chain (fresh subprocess per library)
Each time is the median of several interleaved rounds and each ratio the median of the
per-round ratios; one BLAS thread per library; PyTorch columns appear when it is installed.
"""
from __future__ import annotations

import os

# One BLAS thread for every library: on a shared 2-core machine, multithreaded BLAS makes
# small products swing by 5x between runs; single-threaded, the ratios are stable and fair.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json
import statistics
import subprocess
import sys
import time

import numpy as np

import gradviz

import floor_engine  # this directory: the script runs as `python benchmarks/bench_engine.py`

try:
    import torch
    torch.set_num_threads(1)
except ImportError:  # the reference is optional
    torch = None

QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 7
# Short rounds are cheap, and many of them make the median ratio steady on a noisy machine.
MANY = 5 if QUICK else 31


def interleaved(fns: dict, inner: int = 1, rounds: int = REPEATS) -> dict[str, list[float]]:
    """Time the candidates alternately so background load hits them alike; seconds per round.

    The order rotates from round to round, so no candidate always runs right after the same
    other one (allocator and cache state left behind).
    """
    out: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()
    items = list(fns.items())
    for r in range(rounds):
        for k, fn in items[r % len(items):] + items[:r % len(items)]:
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            out[k].append((time.perf_counter() - t0) / inner)
    return out


def summary(rounds: dict[str, list[float]], ref: str, scale: float,
            who: str = "gradviz") -> tuple[dict[str, float], float]:
    """Median time per library, and the median of the per-round ratios ``who`` / ref.

    A ratio taken within one round compares runs made seconds apart under the same load, so a
    burst of background work shifts both and cancels; a ratio of two medians does not cancel it.
    """
    vals = {k: statistics.median(v) * scale for k, v in rounds.items()}
    ratio = statistics.median(g / r for g, r in zip(rounds[who], rounds[ref])) if ref in rounds else float("nan")
    return vals, ratio


# (a) ------------------------------------------------------------------------------------
def chain(lib, n: int = 1000):
    x = lib.ones(3, requires_grad=True)

    def run():
        y = x
        for i in range(n):
            y = y * 1.0001 if i % 2 else y + 0.5
        y.sum().backward()
    return run


def chain_numpy(n: int = 1000):
    x = np.ones(3, dtype=np.float32)

    def run():
        y = x
        for i in range(n):
            y = y * np.float32(1.0001) if i % 2 else y + np.float32(0.5)
        g = np.ones(3, dtype=np.float32)
        for i in reversed(range(n)):
            if i % 2:
                g = g * np.float32(1.0001)
    return run


# (b) ------------------------------------------------------------------------------------
def mlp_data(batch: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((batch, 784)).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    W1 = rng.standard_normal((784, 256)).astype(np.float32) * 0.05
    W2 = rng.standard_normal((256, 10)).astype(np.float32) * 0.05
    return xs, ys, W1, W2


def mlp_floor(batch: int):
    """The step on floor_engine.py's minimal engine: what any Python autograd pays at least."""
    xs, ys, W1, W2 = mlp_data(batch)
    return floor_engine.mlp_step(xs, ys, [W1.copy(), np.zeros(256, np.float32), W2.copy(), np.zeros(10, np.float32)])


def mlp(lib, batch: int, modules: bool = False):
    xs, ys, W1, W2 = mlp_data(batch)
    if lib is None:  # hand-written NumPy
        p = [W1.copy(), np.zeros(256, np.float32), W2.copy(), np.zeros(10, np.float32)]

        def run():
            w1, b1, w2, b2 = p
            h = xs @ w1 + b1
            a = np.maximum(h, 0)
            out = a @ w2 + b2
            d = out - ys
            loss = (d * d).mean()
            g_out = (2.0 / d.size) * d
            g_w2 = a.T @ g_out
            g_b2 = g_out.sum(0)
            g_a = g_out @ w2.T
            g_h = g_a * (h > 0)
            g_w1 = xs.T @ g_h
            g_b1 = g_h.sum(0)
            for q, g in zip(p, (g_w1, g_b1, g_w2, g_b2)):
                q -= np.float32(0.01) * g
            return loss
        return run
    x, y = lib.from_numpy(xs), lib.from_numpy(ys)
    if modules:  # the same network as a PyTorch user writes it: nn.Linear (addmm), nn.MSELoss
        model = lib.nn.Sequential(lib.nn.Linear(784, 256), lib.nn.ReLU(), lib.nn.Linear(256, 10))
        with lib.no_grad():
            for layer, w in ((model[0], W1), (model[2], W2)):
                layer.weight.copy_(lib.from_numpy(w.T.copy()))
                layer.bias.zero_()
        loss_fn, opt = lib.nn.MSELoss(), lib.optim.SGD(model.parameters(), lr=0.01)

        def step():
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return step
    params = [lib.from_numpy(W1.copy()).requires_grad_(), lib.zeros(256, requires_grad=True),
              lib.from_numpy(W2.copy()).requires_grad_(), lib.zeros(10, requires_grad=True)]
    opt = lib.optim.SGD(params, lr=0.01)

    def run():
        w1, b1, w2, b2 = params
        out = (x @ w1 + b1).relu() @ w2 + b2
        loss = ((out - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return run


# (c) ------------------------------------------------------------------------------------
def matmul(lib):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((1024, 1024)).astype(np.float32)
    B = rng.standard_normal((1024, 1024)).astype(np.float32)
    if lib is None:
        def run():
            C = A @ B
            G = np.ones_like(C)
            return G @ B.T, A.T @ G
        return run
    a, b = lib.from_numpy(A).requires_grad_(), lib.from_numpy(B).requires_grad_()

    def run():
        a.grad = b.grad = None
        (a @ b).backward(lib.ones(1024, 1024))
    return run


# (d) ------------------------------------------------------------------------------------
MEMORY_PROBE = r"""
import sys, json
lib = __import__(sys.argv[1])
def rss(field):
    for line in open('/proc/self/status'):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
x = lib.ones(3, requires_grad=True)
open('/proc/self/clear_refs', 'w').write('5')   # reset the peak (VmHWM) to the current RSS
base = rss('VmRSS:')
y = x
for i in range(10000):
    y = y * 1.0001 if i % 2 else y + 0.5
y.sum().backward()
print(json.dumps(rss('VmHWM:') - base))
"""


def peak_memory(module: str) -> int:
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, module], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def main() -> None:
    rows = []
    floors = []  # (batch, times, floor engine / numpy)
    libs = {"gradviz": gradviz, "numpy": None}
    if torch is not None:
        libs["torch"] = torch

    t = interleaved({"gradviz": chain(gradviz), **({"torch": chain(torch)} if torch else {}),
                     "numpy": chain_numpy()}, rounds=MANY)
    rows.append(("(a) 1,000-op chain, µs/op (fwd+bwd)", *summary(t, "torch", 1e6 / 1000), "torch", 1.0))

    for modules in (False, True):
        for batch in (64, 256):
            t = interleaved({"gradviz": mlp(gradviz, batch, modules), "numpy": mlp(None, batch),
                             **({"torch": mlp(torch, batch, modules)} if torch else {}),
                             **({} if modules else {"floor": mlp_floor(batch)})}, inner=3, rounds=MANY)
            how = "nn.Linear" if modules else "tensors"
            rows.append((f"(b) MLP step ({how}), batch {batch}, ms", *summary(t, "numpy", 1e3), "numpy", 1.2))
            if not modules:
                floors.append((batch, *summary(t, "numpy", 1e3, who="floor")))

    t = interleaved({"gradviz": matmul(gradviz), "numpy": matmul(None),
                     **({"torch": matmul(torch)} if torch else {})})
    rows.append(("(c) 1024² matmul fwd+bwd, ms", *summary(t, "numpy", 1e3), "numpy", 1.05))

    mem = {"gradviz": peak_memory("gradviz")}
    if torch is not None:
        mem["torch"] = peak_memory("torch")
    mem_ratio = mem["gradviz"] / mem["torch"] if "torch" in mem else float("nan")
    rows.append(("(d) 10,000-op chain peak memory, KiB", {k: v / 1024 for k, v in mem.items()}, mem_ratio,
                 "torch", 1.0))

    print(f"{'benchmark':44} {'gradviz':>10} {'numpy':>10} {'torch':>10}  ratio vs ref (target)")
    report = []
    for name, vals, ratio, ref, target in rows:
        cells = "".join(f"{vals[k]:>11.2f}" if k in vals else f"{'-':>11}" for k in ("gradviz", "numpy", "torch"))
        ok = "ok" if ratio <= target else "MISSED"
        print(f"{name:44}{cells}  {ratio:.2f}x vs {ref} (<= {target}) {ok}")
        report.append({"name": name, "values": vals, "ref": ref, "ratio": ratio, "target": target})
    for batch, vals, ratio in floors:
        print(f"    floor (floor_engine.py: a minimal Python autograd, none of PyTorch's semantics), batch {batch}: "
              f"{vals['floor']:.2f} ms, {ratio:.2f}x vs numpy")
        report.append({"name": f"(b) floor engine, batch {batch}", "values": vals, "ref": "numpy", "ratio": ratio,
                       "target": None})
    if "--json" in sys.argv:
        print(json.dumps(report))


if __name__ == "__main__":
    main()
