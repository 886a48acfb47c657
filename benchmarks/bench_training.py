"""Time per training step of the 2-layer MLP from tests/test_training.py, gradviz against PyTorch.

    python benchmarks/bench_training.py [--quick]

One step = zero_grad, forward (Linear, ReLU, Linear), CrossEntropyLoss, backward, Adam step, on
Gaussian blobs made from the seeded generator. Rows: the acceptance run (256 points, 20-64-5)
and a wider one (batch 256, 784-256-10, MNIST-sized). Each figure is the median of interleaved
repeats, so background load hits both libraries alike; torch runs with one thread, as the
comparison is about per-op overhead, not parallel BLAS (NumPy's OpenBLAS gets one thread too). The ratio is the
median of the per-round ratios gradviz / torch.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from typing import Any

# One BLAS thread, like torch below: on a shared machine a multi-threaded OpenBLAS spins against
# the load and the timings measure the neighbours. Must be set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import gradviz  # noqa: E402
import gradviz.nn  # noqa: E402,F401  (binds gradviz.nn until the package imports it itself)

try:
    import torch
except ImportError:  # the reference is optional
    torch = None

QUICK = "--quick" in sys.argv
REPEATS = 3 if QUICK else 7
STEPS = 10 if QUICK else 30


def make_blobs(lib: Any, seed: int, n: int, dim: int, classes: int, spread: float = 0.5) -> tuple[Any, Any]:
    lib.manual_seed(seed)
    centres = lib.randn(classes, dim) * spread
    labels = lib.randint(0, classes, (n,))
    return centres[labels] + lib.randn(n, dim), labels


def trainer(lib: Any, n: int, dim: int, hidden: int, classes: int) -> Any:
    X, y = make_blobs(lib, 0, n, dim, classes)
    model = lib.nn.Sequential(lib.nn.Linear(dim, hidden), lib.nn.ReLU(), lib.nn.Linear(hidden, classes))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def steps() -> None:
        for _ in range(STEPS):
            opt.zero_grad()
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()

    return steps


def interleaved(fns: dict[str, Any]) -> tuple[dict[str, float], float]:
    """Median seconds per step of each candidate, timed alternately, and the median of the
    per-round ratios gradviz / torch (a round's two runs share the machine's load)."""
    out: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(REPEATS):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            out[k].append((time.perf_counter() - t0) / STEPS)
    ratio = statistics.median(g / r for g, r in zip(out["gradviz"], out["torch"])) if "torch" in out else float("nan")
    return {k: statistics.median(v) for k, v in out.items()}, ratio


def main() -> None:
    if torch is not None:
        torch.set_num_threads(1)
    rows = [("MLP 20-64-5, 256 points, Adam", (256, 20, 64, 5)),
            ("MLP 784-256-10, batch 256, Adam", (256, 784, 256, 10))]
    print(f"{'training step':36} {'gradviz ms':>11} {'torch ms':>10} {'ratio':>7}")
    for name, shape in rows:
        fns = {"gradviz": trainer(gradviz, *shape)}
        if torch is not None:
            fns["torch"] = trainer(torch, *shape)
        t, ratio = interleaved(fns)
        g = t["gradviz"] * 1e3
        if "torch" in t:
            r = t["torch"] * 1e3
            print(f"{name:36} {g:>11.3f} {r:>10.3f} {ratio:>7.2f}")
        else:
            print(f"{name:36} {g:>11.3f} {'-':>10} {'-':>7}")


if __name__ == "__main__":
    main()
