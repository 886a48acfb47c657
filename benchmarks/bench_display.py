"""Display benchmark: what draw() adds on top of Graphviz, and the cost of a huge graph.

Run: python benchmarks/bench_display.py [--repeat N]

1. A 1,000-node graph drawn in full: draw(t).svg() with the system `dot` against the bare
   `dot -Tsvg` of the very same DOT text (target: ratio < 1.1, i.e. gradviz adds ~nothing).
2. A 50,000-node graph with the default budget (max_nodes=500): draw + SVG time and size
   with each available renderer (target: < 3 s, < 1 MB).
"""

from __future__ import annotations

import argparse
import resource
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


def cpu() -> tuple[float, float]:
    """CPU seconds (user+sys) of this process, and of its finished children (dot runs as one)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def measure(fn) -> tuple[float, float, float, object]:
    """Wall seconds, own CPU seconds, children's CPU seconds, result of one call."""
    w, (c_self, c_kids) = time.perf_counter(), cpu()
    result = fn()
    (e_self, e_kids), wall = cpu(), time.perf_counter() - w
    return wall, e_self - c_self, e_kids - c_kids, result


def best(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall and best total CPU over ``repeat`` runs, and the last result."""
    runs = [measure(fn) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] + r[2] for r in runs), runs[-1][3]


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

        source = ours()[1].source

        def bare():
            return subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True, check=True)

        pairs = []
        for _ in range(args.repeat):  # interleaved, so both sides see the same load
            pairs.append((measure(ours), measure(bare)))
        w_ours, w_bare = min(p[0][0] for p in pairs), min(p[1][0] for p in pairs)
        c_ours, c_bare = min(p[0][1] + p[0][2] for p in pairs), min(p[1][1] + p[1][2] for p in pairs)
        # within one draw().svg() call: gradviz's own CPU against its dot child's CPU
        own = min(p[0][1] for p in pairs)
        split = sorted((p[0][1] + p[0][2]) / p[0][2] for p in pairs)[len(pairs) // 2]
        rows.append((f"{total:,}-node graph: draw().svg() with dot", f"{w_ours:.3f} s", f"cpu {c_ours:.3f} s"))
        rows.append(("  bare `dot -Tsvg` of the same DOT", f"{w_bare:.3f} s", f"cpu {c_bare:.3f} s"))
        for what, ratio in (("wall", w_ours / w_bare), ("cpu", c_ours / c_bare), ("cpu, same call", split)):
            rows.append((f"  ratio, {what} (target < 1.1)", f"{ratio:.3f}x", "ok" if ratio < 1.1 else "OVER"))
        rows.append(("  gradviz's own CPU per draw().svg()", f"{own * 1000:.0f} ms", "walk+DOT+SVG check"))
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

        t_big, c_big, (svg, g) = best(huge, args.repeat)
        size = len(svg.encode())
        ok = "ok" if t_big < 3 and size < 1_000_000 else "OVER"
        rows.append((f"{n_big:,}-node graph, default budget, {name}", f"{t_big:.3f} s, {size / 1e6:.2f} MB",
                     f"cpu {c_big:.3f} s  {ok}"))
        rows.append((f"  drawn: {g!r}", "", ""))

    width = max(len(r[0]) for r in rows)
    print(f"python {sys.version.split()[0]}, gradviz {gradviz.__version__}, best of {args.repeat}")
    for label, value, verdict in rows:
        print(f"{label:<{width}}  {value:>18}  {verdict}")
    print("(cpu = user+sys of this process and its dot children; wall times suffer when cores are shared;")
    print(" 'same call' = (gradviz CPU + dot CPU) / dot CPU inside one draw().svg(), median of the runs)")


if __name__ == "__main__":
    main()
