"""Backward animation cost, as ratios measured in one run (machines are shared and noisy).

    python benchmarks/bench_animate.py [--quick] [--nodes 200]

(a) building a full animation of a 200-node graph (record the backward pass, lay the graph
    out once, make every frame, produce the notebook display bundle) against one static
    draw of the same graph (DOT, layout, display bundle). Target: under 1.5x, because the
    layout happens once and frames carry only numbers.
(b) size per frame: the largest single frame and the mean, as JSON bytes; and the whole
    widget payload (SVG once + all frames) per frame. Target: under 200 KB per frame, well
    inside Jupyter's output rate limit (1 MB/s).
Timings: draw and animation run back to back on freshly built graphs, many times; the ratio
is the median of those pairs (both halves of a pair see the same machine load). A second
figure times the animation's phases one by one (record, layout, frames, widget, still picture)
and divides the sum of their best runs by the best static draw: less sensitive to a busy
machine, and it shows where the time goes. The renderer is warmed up first so its one-off
start-up (e.g. compiling the WebAssembly Graphviz) is not counted.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import json
import statistics
import sys
import time

import gradviz

anim = importlib.import_module("gradviz.display.animate")  # the module, not the re-exported function

FRAME_TARGET = 200_000
RATIO_TARGET = 1.5


def build(nodes: int):
    """A graph with exactly ``nodes`` backward nodes: one leaf, a chain of ops, a sum."""
    x = gradviz.linspace(-1.0, 1.0, 8).requires_grad_()
    t = x
    ops = nodes - 2  # AccumulateGrad and the final sum
    for i in range(ops):
        t = t * 1.01 if i % 3 == 0 else t + 0.5 if i % 3 == 1 else t.tanh()
    out = t.sum()
    count = len(gradviz.graph.backward_order([out.grad_fn]))
    assert count == nodes, (count, nodes)
    return out


def static_draw(out) -> dict:
    # The same drawing animate() lays out (it turns the legend off to leave room for numbers).
    graph = gradviz.draw(out, legend=False)
    return graph._repr_mimebundle_()


def full_animation(out) -> dict:
    player = anim.animate(out)
    if player.scenes[0].error:  # a player without its picture would time nothing real
        raise SystemExit(f"animate() could not lay out the graph: {player.scenes[0].error}")
    bundle = player._repr_mimebundle_()
    _players.append(player)
    return bundle[0] if isinstance(bundle, tuple) else bundle


_players: list = []  # closed after each timing: ipywidgets keeps every open widget alive


def timed(fn, out) -> float:
    """One call, garbage collector paused (as timeit does) and earlier garbage cleared first."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        fn(out)
        return time.perf_counter() - t0
    finally:
        gc.enable()
        while _players:
            _players.pop().close()


def phase_times(nodes: int, repeats: int) -> dict[str, float]:
    """The steps of animate() one by one (its private pieces), best of ``repeats`` each."""
    best: dict[str, float] = {}

    def clock(name, fn, *a, **k):
        gc.collect()
        t0 = time.perf_counter()
        value = fn(*a, **k)
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
        return value

    for _ in range(repeats):
        out = build(nodes)
        steps, order, seeded = clock("record backward", anim._record, out, None)
        rec = anim._Recorder({})
        scene = clock("layout (draw)", rec.scene, out, order, {"names": {}, "legend": False})
        clock("frames", rec.add_run, steps, order, scene, seeded, committed=False)
        player = clock("widget", anim.BackwardPlayer, rec.scenes, rec.frames, rec.runs)
        clock("still picture", player.static_html, 0)
        player.close()
        clock("static draw", static_draw, build(nodes))
    return best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--nodes", type=int, default=200)
    args = ap.parse_args()
    repeats = 5 if args.quick else 15

    static_draw(build(args.nodes))  # warm the renderer (process-wide, resolved on first use)
    full_animation(build(args.nodes))
    times: dict[str, list[float]] = {"draw": [], "animate": []}
    ratios = []
    for _ in range(repeats):
        pair = {}
        for name, fn in (("draw", static_draw), ("animate", full_animation)):
            out = build(args.nodes)  # fresh graph: nothing cached on the objects
            pair[name] = timed(fn, out)
            times[name].append(pair[name])
        ratios.append(pair["animate"] / pair["draw"])  # back to back: both see the same machine load
    draw_s = statistics.median(times["draw"])
    anim_s = statistics.median(times["animate"])
    ratio = statistics.median(ratios)

    phases = phase_times(args.nodes, repeats)
    # the same ratio from the least-disturbed run of every phase (less sensitive to machine load)
    phase_ratio = sum(v for k, v in phases.items() if k != "static draw") / phases["static draw"]
    player = anim.animate(build(args.nodes))
    frame_bytes = [len(json.dumps(f, ensure_ascii=False).encode("utf-8")) for f in player.frames]
    payload = len(player._payload.encode("utf-8"))
    svg = sum(len(s.svg.encode("utf-8")) for s in player.scenes)
    bundle = full_animation(build(args.nodes))
    html_fallback = len(bundle["text/html"].encode("utf-8"))

    from gradviz.display import render

    result = {
        "renderer": render.get_renderer().name,
        "nodes": args.nodes,
        "frames": len(player.frames),
        "draw_s": round(draw_s, 4),
        "animate_s": round(anim_s, 4),
        "animate_over_draw": round(ratio, 3),
        "ratio_target": RATIO_TARGET,
        "frame_bytes_max": max(frame_bytes),
        "frame_bytes_mean": round(statistics.mean(frame_bytes)),
        "payload_bytes": payload,
        "svg_bytes": svg,
        "payload_bytes_per_frame": round(payload / len(player.frames)),
        "static_html_fallback_bytes": html_fallback,
        "frame_target_bytes": FRAME_TARGET,
        "phases_ms_min": {k: round(v * 1e3, 2) for k, v in phases.items()},
        "animate_over_draw_from_phases": round(phase_ratio, 3),
    }
    print(f"renderer: {result['renderer']}")
    print(f"(a) animation of a {args.nodes}-node graph / one static draw: "
          f"{anim_s * 1e3:.1f} ms / {draw_s * 1e3:.1f} ms (medians); ratio {ratio:.2f}x"
          f" (median of back-to-back pairs), {phase_ratio:.2f}x (sum of best phases) (target < {RATIO_TARGET}x)")
    print(f"(b) frame size: max {max(frame_bytes) / 1e3:.1f} KB, mean {statistics.mean(frame_bytes) / 1e3:.2f} KB;"
          f" whole payload {payload / 1e3:.1f} KB for {len(player.frames)} frames"
          f" ({payload / len(player.frames) / 1e3:.2f} KB per frame, SVG {svg / 1e3:.1f} KB once)"
          f" (target < {FRAME_TARGET / 1e3:.0f} KB per frame)")
    print("    where an animation's time goes (best of each phase, ms): "
          + ", ".join(f"{k} {v * 1e3:.1f}" for k, v in phases.items()))
    print(json.dumps(result))
    ok = ratio < RATIO_TARGET and max(frame_bytes) < FRAME_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
