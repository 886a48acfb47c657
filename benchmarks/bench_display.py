"""Display benchmark: what draw() adds on top of Graphviz, and the cost of a huge graph.

Run: python benchmarks/bench_display.py [--repeat N]

1. A 1,000-node graph drawn in full: draw(t).svg() with the system `dot` against the bare
   `dot -Tsvg` of the very same DOT text (target: ratio < 1.1, i.e. gradviz adds ~nothing).
2. A 50,000-node graph with the default budget (max_nodes=500): draw + SVG time and size
   with each available renderer (target: < 3 s, < 1 MB).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time

import gradviz
from gradviz.display import draw, render
from gradviz.display.graph import Graph


def layered(steps: int):
    """y = y * w_i + b_i, ``steps`` times: 4 engine nodes per step (mul, add, two leaves)."""
    y = gradviz.ones(4, requires_grad=True)
    for i in range(steps):
        w = gradviz.full((4,), 1.0 + i * 1e-4, requires_grad=True)
        b = gradviz.full((4,), 1e-3, requires_grad=True)
        y = y * w + b
    return y.sum()


def alternating(nodes: int):
    """(y + 1) * c over and over: no runs of one op, so the budget has to cut."""
    y = gradviz.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(nodes // 2):
        y = (y + 1.0) * 1.0001
    return y


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []

    dot = shutil.which("dot")
    out = layered(250)
    total = len(gradviz.graph.backward_order([out.grad_fn]))
    if dot:
        pinned = render.make_renderer("dot")

        def ours():
            g = draw(out, max_nodes=10_000, names={})
            return Graph(g.source, nodes=g.nodes, edges=g.edges, renderer=pinned, timeout=120).svg(), g

        t_ours, (svg, g) = best(ours, args.repeat)
        source = g.source
        t_bare, _ = best(lambda: subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True,
                                                check=True), args.repeat)
        rows.append((f"{total:,}-node graph: draw().svg() with dot", f"{t_ours:.3f} s", ""))
        rows.append(("  bare `dot -Tsvg` of the same DOT", f"{t_bare:.3f} s", ""))
        rows.append(("  ratio (target < 1.1)", f"{t_ours / t_bare:.3f}x", "ok" if t_ours / t_bare < 1.1 else "OVER"))
    else:
        rows.append(("1,000-node ratio", "skipped", "no system dot"))

    big = alternating(50_000)
    n_big = len(gradviz.graph.backward_order([big.grad_fn]))
    for name in ("dot", "wasm"):
        chosen = render.make_renderer(name)
        if chosen.backend is None:
            rows.append((f"{n_big:,}-node graph, {name}", "skipped", chosen.reason))
            continue
        if name == "wasm":
            chosen.backend.render("digraph { a }", "svg", 60)  # compile once, outside the timing

        def huge():
            g = draw(big, names={})  # default max_nodes=500
            return Graph(g.source, nodes=g.nodes, edges=g.edges, renderer=chosen).svg(), g

        t_big, (svg, g) = best(huge, args.repeat)
        size = len(svg.encode())
        ok = "ok" if t_big < 3 and size < 1_000_000 else "OVER"
        rows.append((f"{n_big:,}-node graph, default budget, {name}", f"{t_big:.3f} s, {size / 1e6:.2f} MB", ok))
        rows.append((f"  drawn: {g!r}", "", ""))

    width = max(len(r[0]) for r in rows)
    print(f"python {sys.version.split()[0]}, gradviz {gradviz.__version__}, best of {args.repeat}")
    for label, value, verdict in rows:
        print(f"{label:<{width}}  {value:>18}  {verdict}")


if __name__ == "__main__":
    main()
