"""Display benchmark: what draw() adds on top of Graphviz, and the cost of a huge graph.

Run: python benchmarks/bench_display.py [--repeat N]

1. A 1,000-node graph drawn in full: draw(t).svg() with the system `dot` against the bare
   `dot -Tsvg` of the very same DOT text (target: ratio < 1.1, i.e. gradviz adds ~nothing),
   in interleaved pairs; the median of the per-pair ratios is the result, every pair is printed.
2. A 50,000-node graph with the default budget (max_nodes=500): draw + SVG time and size
   with each available renderer (target: < 3 s, < 1 MB).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from statistics import median

import gradviz
from gradviz.display import draw, render
from gradviz.display.dot import to_dot
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


def runs_of(fn, repeat: int) -> tuple[list[float], float, object]:
    """Wall seconds of every run, median total CPU, and the last result."""
    runs = [measure(fn) for _ in range(repeat)]
    return [r[0] for r in runs], median(r[1] + r[2] for r in runs), runs[-1][3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of the 50,000-node draw")
    parser.add_argument("--pairs", type=int, default=41, help="interleaved (draw, bare dot) pairs")
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
        for i in range(args.pairs):
            # interleaved and alternating who goes first, so both sides of a pair see the same
            # load; a ratio per pair, then the median: one busy moment spoils one pair, not the result
            if i % 2 == 0:
                a, b = measure(ours), measure(bare)
            else:
                b, a = measure(bare), measure(ours)
            pairs.append((a, b))
        wall = [a[0] / b[0] for a, b in pairs]
        cpu_ratio = [(a[1] + a[2]) / (b[1] + b[2]) for a, b in pairs]
        mid_ours, mid_bare = median([a[0] for a, _ in pairs]), median([b[0] for _, b in pairs])
        rows.append((f"{total:,}-node graph: draw().svg() with dot", f"{mid_ours:.3f} s", "median wall"))
        rows.append(("  bare `dot -Tsvg` of the same DOT", f"{mid_bare:.3f} s", "median wall"))
        ok = "ok" if median(wall) < 1.1 else "OVER"
        rows.append(("  wall ratio, median of pairs (target < 1.1)", f"{median(wall):.3f}x", ok))
        rows.append(("  wall ratio per pair", "", " ".join(f"{r:.3f}" for r in wall)))
        rows.append(("  cpu ratio, median of pairs", f"{median(cpu_ratio):.3f}x",
                     "all work, incl. the SVG check that runs while dot writes"))
        own = median([a[1] for a, _ in pairs])
        rows.append(("  gradviz's own CPU per draw().svg()", f"{own * 1000:.0f} ms", "walk+DOT+pipes+SVG check"))
        g = to_dot(out, max_nodes=10_000, names={})
        build = median([measure(lambda: to_dot(out, max_nodes=10_000, names={}))[0] for _ in range(5)])
        svg_bytes = ours()[0].encode()
        check = median([measure(lambda: render.check_svg(svg_bytes))[0] for _ in range(5)])
        rows.append(("  of which: DOT text / SVG check (alone)", f"{build * 1000:.0f} / {check * 1000:.0f} ms",
                     f"{len(g.source) / 1e3:.0f} kB DOT, {len(svg_bytes) / 1e6:.2f} MB SVG"))
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

        times, c_big, (svg, g) = runs_of(huge, args.repeat)
        size = len(svg.encode())
        ok = "ok" if max(times) < 3 and size < 1_000_000 else "OVER"
        rows.append((f"{n_big:,}-node graph, default budget, {name}", f"{median(times):.3f} s, {size / 1e6:.2f} MB",
                     f"median wall; cpu {c_big:.3f} s; runs {' '.join(f'{t:.2f}' for t in times)}  {ok} (< 3 s, < 1 MB)"))
        rows.append((f"  drawn: {g!r}", "", ""))

    width = max(len(r[0]) for r in rows)
    print(f"python {sys.version.split()[0]}, gradviz {gradviz.__version__}, {args.pairs} pairs, "
          f"{args.repeat} runs of the 50,000-node draw, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for label, value, verdict in rows:
        print(f"{label:<{width}}  {value:>18}  {verdict}")
    print("(cpu = user+sys of this process and its dot children; wall times suffer when cores are shared:")
    print(" the SVG check runs while dot writes, so it costs CPU but, given a free core, little wall time)")


if __name__ == "__main__":
    main()
