"""Backward, step by step: a player over the engine's own backward pass.

``animate(t)`` records ``t.backward()`` through :func:`gradviz.graph.backward_steps`
(the very walk ``backward()`` runs, same order, same numbers) and turns each Step into a
frame: which node runs, the gradient arriving, its local rule, the gradient sent along
each edge, and at ``AccumulateGrad`` the leaf's ``.grad`` before and after. The graph is
laid out once; frames only carry text and node indices, and the browser restyles the one
SVG (player.js), so stepping needs no kernel.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

import anywidget
import numpy as np
import traitlets

from .. import autograd as _autograd
from ..function import AccumulateGrad, Node
from ..graph import Step, backward_order, backward_steps

__all__ = ["BackwardPlayer", "Player", "animate", "animate_loop"]

_EDGE_CHARS = 40      # a number on an edge must not hide the graph
_CAPTION_CHARS = 2000  # keeps every frame far below the 200 KB per-message budget
_NAME_CHARS = 60
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- text

def _clean(s: object, limit: int = _NAME_CHARS) -> str:
    """User-derived text made inert for any sink: no controls, bidi overrides or surrogates, bounded."""
    s = str(s)
    if not (s.isascii() and s.isprintable()):  # the common case needs no regex pass
        s = _CONTROL.sub("\ufffd", s)
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def _fmt(arr: np.ndarray | None) -> str:
    """A gradient exactly as PyTorch prints it (and as the engine's ``repr`` does)."""
    return "None" if arr is None else _fmt_many([np.asarray(arr)])[0]


_QUICK_MAX = 64  # vectors up to this length take the batched path below


def _fmt_many(arrays: Sequence[np.ndarray]) -> list[str]:
    """Tensor texts for many gradients at once, exactly as ``format_tensor`` prints each.

    A 200-node animation formats a few hundred small gradients; the general formatter is
    built for big tensors and its fixed cost per call (a dozen NumPy reductions) would
    outweigh the graph layout. Small float32 vectors of one length are therefore decided
    together: one NumPy pass finds, per vector, the values the formatter looks at (finite
    non-zero extremes, all-integer, scientific notation), then the same rules pick the
    notation and column width. Everything else goes to ``format_tensor``. A test compares
    the two on many random vectors and print options.
    """
    from .. import _tensor_str as ts

    opts = ts.PRINT_OPTS
    out: list[str] = [""] * len(arrays)
    groups: dict[int, list[int]] = {}
    for k, a in enumerate(arrays):
        if a.dtype == np.float32 and a.ndim <= 1 and 0 < a.size <= min(opts.threshold, _QUICK_MAX):
            groups.setdefault(a.size, []).append(k)
        else:
            out[k] = _clean(ts.format_tensor(a, None), _CAPTION_CHARS)
    p, indent = opts.precision, len("tensor(")
    for n, members in groups.items():
        m = np.stack([arrays[k].reshape(n) for k in members]).astype(np.float64)
        fin = np.isfinite(m) & (m != 0)
        any_fin = fin.any(axis=1)
        mag = np.abs(m)
        amin = np.where(fin, mag, np.inf).min(axis=1)
        amax = np.where(fin, mag, -np.inf).max(axis=1)
        int_mode = np.where(fin, m == np.ceil(m), True).all(axis=1)
        with np.errstate(all="ignore"):
            sci = (amax / amin > 1000.0) | (amax > 1.0e8) | (amin < 1.0e-4)
        if opts.sci_mode is not None:
            sci[:] = opts.sci_mode
        pos, neg = fin & (m > 0), fin & (m < 0)
        ext = np.stack([np.where(pos, m, np.inf).min(axis=1), np.where(pos, m, -np.inf).max(axis=1),
                        np.where(neg, m, np.inf).min(axis=1), np.where(neg, m, -np.inf).max(axis=1)], axis=1)
        for row, k, f, i, s, e in zip(m.tolist(), members, any_fin.tolist(), int_mode.tolist(),
                                      sci.tolist(), ext.tolist()):
            cands = [x for x in e if math.isfinite(x)]
            if not f:  # only zeros / nan / inf: integer look, no notation change, width 1
                i, s, width = True, False, 1
            elif s:
                width = max(len(f"{x:.{p}e}") for x in cands)
            elif i:
                width = max(len(f"{x:.0f}") + 1 for x in cands)
            else:
                width = max(len(f"{x:.{p}f}") for x in cands)
            if i and not s:
                strs = [(f"{x:.0f}." if math.isfinite(x) else f"{x:.0f}").rjust(width) for x in row]
            else:
                spec = f">{width}.{p}{'e' if s else 'f'}"
                strs = [format(x, spec) for x in row]
            if arrays[k].ndim == 0:
                out[k] = f"tensor({strs[0]})"
                continue
            # torch's 1-D layout: as many items per line as fit, continuation lines under the "["
            per_line = max(1, (opts.linewidth - indent) // (width + 2))
            lines = [", ".join(strs[j:j + per_line]) for j in range(0, n, per_line)]
            out[k] = "tensor([" + (",\n" + " " * (indent + 1)).join(lines) + "])"
    return out


def _const_text(value: Any) -> str:
    """A constant input: a Python number as written, an array as an edge label."""
    if isinstance(value, (bool, int, float, complex)):
        return _clean(repr(value), _EDGE_CHARS)
    return _short(_fmt(np.asarray(value)))


def _short(text: str) -> str:
    """An edge label from a caption text: one line, ``[a, b, ..., y, z]`` for long vectors.

    Made from the same digits as the caption (no second formatting pass), so edge and
    caption always agree.
    """
    body = " ".join(text.split())
    if body.startswith("tensor(") and body.endswith(")"):
        body = body[len("tensor("):-1]
        if "=" in body:
            body = _SUFFIX.sub("", body)
    if body.startswith("[") and not body.startswith("[[") and len(body) > _EDGE_CHARS:
        items = body[1:-1].split(", ")
        if len(items) > 4:
            body = "[" + ", ".join(items[:2] + ["..."] + items[-2:]) + "]"
    # numbers only (the engine's own text): no need to clean, just keep it short
    return body if len(body) <= _EDGE_CHARS else body[: _EDGE_CHARS - 1] + "\u2026"


_SUFFIX = re.compile(r",\s*(dtype|size|grad_fn|requires_grad)=.*$")


# ----------------------------------------------------------------------- the SVG
# Graphviz writes every node/edge as <g id=".." class="node|edge"><title>DOT name</title>.
# DOT names are n0..nK in backward_order position (to_dot), so titles identify elements
# whatever id= the drawing chose.
_GROUP = re.compile(r'<g id="([^"]*)" class="(node|edge)([^"]*)">\s*<title>([^<]*)</title>')
_NODE_NAME = re.compile(r"([no])(\d+)")  # n{i}: the node's box; o{i}: its op in the computation view
_EDGE_NAME = re.compile(r"n(\d+)(?::[^-]*)?->n(\d+)(?::.*)?")


def _svg_elements(svg: str) -> tuple[dict[int, str], dict[int, str], dict[tuple[int, int], list[str]], dict[str, int]]:
    """Node index -> box id, -> op id; (tail, head) -> edge ids in document order; id -> end of its <title>."""
    nodes: dict[int, str] = {}
    ops: dict[int, str] = {}
    edges: dict[tuple[int, int], list[str]] = {}
    ids: dict[str, int] = {}
    for m in _GROUP.finditer(svg):
        gid, kind, title = m[1], m[2], m[4]
        if "&" in gid or "&" in title:
            gid, title = html.unescape(gid), html.unescape(title)
        ids[gid] = m.end()
        if kind == "node" and (n := _NODE_NAME.fullmatch(title)):
            (nodes if n[1] == "n" else ops)[int(n[2])] = gid
        elif kind == "edge" and (e := _EDGE_NAME.fullmatch(title)):
            edges.setdefault((int(e[1]), int(e[2])), []).append(gid)
    return nodes, ops, edges, ids


class _Scene:
    """One laid-out graph plus the lookups that map engine nodes/edges onto its elements."""

    def __init__(self, svg: str, error: str = "") -> None:
        self.svg = svg
        self.error = _clean(error, _CAPTION_CHARS)
        self.nodes, self.ops, self._edges, self._ids = _svg_elements(svg)

    def edge(self, consumer: int, slot: int, producer: int, occurrence: int) -> str | None:
        """Element of the edge carrying input ``slot`` of node ``consumer`` (from ``producer``)."""
        if f"gv-e{consumer}-{slot}" in self._ids:
            return f"gv-e{consumer}-{slot}"
        for key in ((producer, consumer), (consumer, producer)):
            found = self._edges.get(key, [])
            if occurrence < len(found):
                return found[occurrence]
        return None

    def payload(self) -> dict[str, Any]:
        return {"svg": self.svg, "error": self.error, "nodes": {str(i): self.elements(i) for i in self.nodes}}

    def elements(self, i: int) -> list[str]:
        """Everything that stands for node ``i``: its box, and its op ellipse if drawn apart."""
        return [self.nodes[i]] + ([self.ops[i]] if i in self.ops else [])


# --------------------------------------------------------------------- recording

class _Recorder:
    """Turns Steps into frames. One recorder per player; scenes are shared by DOT layout."""

    def __init__(self, names: Mapping[str, Any] | None) -> None:
        self.names = {id(t): _clean(n) for n, t in (names or {}).items()}
        self.frames: list[dict[str, Any]] = []
        self.runs: list[list[Step]] = []
        self.scenes: list[_Scene] = []
        self._scene_by_key: dict[tuple, int] = {}
        # In a chain the array a node sends is the one the next node receives: format it once.
        # The value keeps the array alive, so its id() cannot be reused for another array.
        self._texts: dict[int, tuple[np.ndarray, str, list[str]]] = {}
        self._node_names: dict[Node, str] = {}
        self._rules: dict[type, str] = {}

    def prefill(self, arrays: Iterable[np.ndarray | None]) -> None:
        """Format all of a run's gradients in one batch (see _fmt_many)."""
        todo = {id(a): a for a in arrays if a is not None and id(a) not in self._texts}
        for a, text in zip(todo.values(), _fmt_many([np.asarray(a) for a in todo.values()])):
            self._texts[id(a)] = (a, text, [])

    def fmt(self, arr: np.ndarray | None, short: bool = False) -> str:
        if arr is None:
            return "None"
        hit = self._texts.get(id(arr))
        if hit is None:
            hit = self._texts[id(arr)] = (arr, _fmt(arr), [])
        if not short:
            return hit[1]
        if not hit[2]:
            hit[2].append(_short(hit[1]))
        return hit[2][0]

    def scene(self, t: Any, order: list[Node], draw_options: Mapping[str, Any], reuse: bool = False) -> int:
        """The scene for this graph: laid out now, or reused when an earlier call built the same graph.

        "The same" = same nodes, edges, shapes and forward values; only leaf ``.grad`` differs
        between calls of a training loop, and the player shows that beside the leaf.
        """
        key = _signature(order) if reuse else (len(self.scenes),)
        if key not in self._scene_by_key:
            try:
                svg, error = _layout(t, order, draw_options), ""
            except Exception as exc:  # no renderer, timeout, unsafe SVG: captions still play
                from .render import RenderError

                if not isinstance(exc, RenderError):
                    raise
                svg, error = "", f"graph unavailable: {exc}"
            self._scene_by_key[key] = len(self.scenes)
            self.scenes.append(_Scene(svg, error))
        return self._scene_by_key[key]

    def leaf_name(self, leaf: Any) -> str:
        return self.names.get(id(leaf)) or f"leaf{tuple(int(n) for n in leaf.shape)}"

    def node_name(self, node: Node) -> str:
        text = self._node_names.get(node)
        if text is None:
            if isinstance(node, AccumulateGrad):
                text = f"AccumulateGrad ({self.leaf_name(node.variable)})"
            else:
                out = node.output()
                name = self.names.get(id(out)) if out is not None else None
                text = _clean(type(node).__name__) + (f" ({name})" if name else "")
            self._node_names[node] = text
        return text

    def rule(self, node: Node) -> str:
        # One text per op class: formula is a class attribute.
        kind = type(node)
        if kind not in self._rules:
            self._rules[kind] = _clean(node.formula or node.label or "?", _CAPTION_CHARS)
        return self._rules[kind]

    def add_run(self, steps: list[Step], order: list[Node], scene: int, seeded: str,
                committed: bool, prefix: str = "") -> None:
        position = {node: i for i, node in enumerate(order)}
        sc = self.scenes[scene]
        run = len(self.runs)
        self.runs.append(steps)
        self.prefill(a for s in steps for a in (s.grad_outputs, *s.grad_inputs, s.grad_before, s.grad_after))
        for step in steps:
            node, i = step.node, position[step.node]
            lines: list[list[str]] = [["gradient arriving", self.fmt(step.grad_outputs)]]
            if step.index == 0:
                lines[0][0] += f" ({seeded})"
            lines.append(["local rule", self.rule(node)])
            sends: list[dict[str, Any]] = []
            note = None
            if isinstance(node, AccumulateGrad):
                leaf = self.leaf_name(node.variable)
                lines.append([f"{leaf}.grad", f"{self.fmt(step.grad_before)}\n\u2192 {self.fmt(step.grad_after)}"])
                note = {"node": i, "text": ".grad " + self.fmt(step.grad_after, short=True)}
            seen: dict[Node, int] = {}
            for slot, ((fn, _), g) in enumerate(zip(node.next_functions, step.grad_inputs)):
                if fn is None:
                    const = node.const_inputs[slot] if slot < len(node.const_inputs) else None
                    what = "constant" if const is None else f"constant {_const_text(const)}"
                    lines.append([f"input {slot} ({what})", "no gradient needed"])
                    continue
                occurrence = seen.get(fn, 0)
                seen[fn] = occurrence + 1
                lines.append([f"input {slot} \u2192 {self.node_name(fn)}", self.fmt(g)])
                if g is not None:
                    sends.append({"edge": sc.edge(i, slot, position[fn], occurrence),
                                  "text": self.fmt(g, short=True)})
            self.frames.append({
                "scene": scene, "run": run, "kind": "step", "node": i,
                "heading": f"{prefix}step {step.index + 1} of {len(steps)}: {self.node_name(node)}",
                "lines": lines, "sends": sends, "note": note,
            })
        stored = "added to .grad" if committed else "not stored (accumulate=False)"
        leaves = [[f"{self.leaf_name(s.node.variable)}.grad", self.fmt(s.grad_after)]
                  for s in steps if isinstance(s.node, AccumulateGrad)]
        self.frames.append({
            "scene": scene, "run": run, "kind": "end", "node": None,
            "heading": f"{prefix}backward() finished: leaf gradients {stored}",
            "lines": leaves, "sends": [], "note": None,
        })

    def add_zero(self, leaf: Any, i: int, scene: int, prefix: str) -> None:
        """Run the real ``leaf.grad.zero_()`` and show it as a frame."""
        name = self.leaf_name(leaf)
        before = np.array(leaf.grad._data, copy=True)
        leaf.grad.zero_()
        after = leaf.grad._data
        self.frames.append({
            "scene": scene, "run": len(self.runs) - 1, "kind": "zero", "node": i,
            "heading": f"{prefix}{name}.grad.zero_()",
            "lines": [[f"{name}.grad", f"{_fmt(before)}\n\u2192 {_fmt(after)}"]],
            "sends": [], "note": {"node": i, "text": ".grad " + _short(_fmt(after))},
        })


def _record(t: Any, gradient: Any) -> tuple[list[Step], list[Node], str]:
    """The engine's backward pass of ``t``, step by step, without storing anything."""
    roots, grads = _autograd._roots([t], [gradient])  # backward()'s own checks and messages
    order = backward_order(roots)
    steps = list(backward_steps(roots, grads, order))
    for s in steps:
        # grad_before is the leaf's live .grad buffer, which commit() adds into in place.
        if s.grad_before is not None:
            s.grad_before = np.array(s.grad_before, copy=True)
    seeded = "seed: ones" if gradient is None else "seed: gradient="
    return steps, order, seeded


def _signature(order: list[Node]) -> tuple:
    """What a drawing of this graph depends on, apart from leaf .grad: structure and values."""
    pos = {node: i for i, node in enumerate(order)}
    sig = []
    for node in order:
        t = node.output()
        data = None if t is None else hashlib.sha1(np.ascontiguousarray(t._data)).hexdigest()
        consts = tuple(None if c is None else hashlib.sha1(np.ascontiguousarray(c)).hexdigest()
                       for c in node.const_inputs)
        sig.append((type(node).__name__, tuple(-1 if fn is None else pos[fn] for fn, _ in node.next_functions),
                    repr(node.output_meta), data, consts, id(t) if isinstance(node, AccumulateGrad) else 0))
    return tuple(sig)


def _names(names: Mapping[str, Any] | None) -> dict[str, Any]:
    """Explicit names, else the caller's variables, as draw() finds them (so box and caption agree)."""
    if names is not None:
        return dict(names)
    from . import _caller_names

    return _caller_names()


def _layout(t: Any, order: list[Node], draw_options: Mapping[str, Any]) -> str:
    """The SVG of ``t``'s graph, laid out once by the display layer's own draw()."""
    from . import draw

    return draw(t, **draw_options).svg()


class _GradGuard:
    """Leaves' ``.grad`` as they were, put back exactly (same object, same values) by restore()."""

    def __init__(self) -> None:
        self._saved: dict[int, tuple[Any, Any, np.ndarray | None, int]] = {}

    def remember(self, steps: Iterable[Step]) -> None:
        for s in steps:
            if isinstance(s.node, AccumulateGrad) and id(s.node.variable) not in self._saved:
                leaf = s.node.variable
                g = leaf._grad
                data = None if g is None else g._data.copy()
                version = 0 if g is None else g._version_counter.value
                self._saved[id(leaf)] = (leaf, g, data, version)

    def restore(self) -> None:
        for leaf, g, data, version in self._saved.values():
            if g is not None:
                np.copyto(g._data, data)
                g._version_counter.value = version
            leaf._grad = g


def _commit(steps: list[Step], retain_graph: bool | None) -> None:
    # What autograd.run_backward does after its walk: store leaf grads, then free the graph.
    _autograd.commit(steps)
    for s in steps:
        # commit() adopted grad_after as the leaf's new .grad buffer; the record keeps a copy
        # so later passes or zero_() (in place on that buffer) don't rewrite history.
        if s.grad_after is not None:
            s.grad_after = np.array(s.grad_after, copy=True)
    if not retain_graph:
        for s in steps:
            s.node._free()


# ---------------------------------------------------------------------- public API

def animate(t: Any, gradient: Any = None, *, accumulate: bool = False, retain_graph: bool | None = None,
            names: Mapping[str, Any] | None = None, **draw_options: Any) -> BackwardPlayer:
    """Animate ``t.backward(gradient)`` node by node; returns a player shown inline in Jupyter.

    The steps are the engine's own backward pass (``gradviz.graph.backward_steps``): the same
    order and the same numbers ``t.backward(gradient)`` computes. By default nothing is stored:
    leaf ``.grad`` stays as it was and the graph is kept, so a lesson can animate first and call
    ``backward()`` after. ``accumulate=True`` stores the gradients exactly like ``backward()``
    (and frees the graph unless ``retain_graph=True``).

    Args:
        t: the output tensor (scalar, or any shape with ``gradient=``).
        gradient: the seed gradient, as for ``Tensor.backward``.
        accumulate: add the results into the leaves' ``.grad`` as ``backward()`` would.
        retain_graph: with ``accumulate=True``, keep the graph for another backward.
        names: ``{"x": x, ...}`` names for tensors in the graph and captions ("x.grad");
            by default the caller's variables, as ``draw()`` does.
        **draw_options: passed to ``gradviz.draw`` for the one layout (``legend`` is off by
            default: the numbers written beside the edges need the room).

    Returns:
        BackwardPlayer: play/pause, step, slider, reset, speed; ``.to_html()`` exports it.
    """
    steps, order, seeded = _record(t, gradient)
    names = _names(names)
    rec = _Recorder(names)
    scene = rec.scene(t, order, {"names": names, "legend": False, **draw_options})
    if accumulate:
        _commit(steps, retain_graph)
    rec.add_run(steps, order, scene, seeded, committed=accumulate)
    return BackwardPlayer(rec.scenes, rec.frames, rec.runs)


def animate_loop(fn: Callable[[], Any], n: int = 3, *, zero_grad: str | None = None, gradient: Any = None,
                 accumulate: bool = False, retain_graph: bool | None = None,
                 names: Mapping[str, Any] | None = None, **draw_options: Any) -> BackwardPlayer:
    """Animate ``for _ in range(n): fn().backward(gradient)``: gradients accumulate in ``.grad``.

    Each call of ``fn`` builds the output afresh (as a training loop does) and its backward
    pass really runs and really stores into ``.grad``, so the second call starts from the
    first call's result: with ``weights = ones(3, requires_grad=True)`` and
    ``fn = lambda: (weights + 3).sum()`` the player shows ``weights.grad`` 1 -> 2 -> 3.
    ``zero_grad`` adds ``leaf.grad.zero_()`` frames for every leaf reached: ``"end"`` after
    the last call (3 -> 0), ``"each"`` after every call (the fixed loop: 1, 0, 1, 0, ...).
    Unless ``accumulate=True``, every leaf's ``.grad`` is restored afterwards (same tensor
    object, same values), so the lesson's own loop starts clean.

    Example:
        >>> weights = gradviz.ones(3, requires_grad=True)          # doctest: +SKIP
        >>> gradviz.animate_loop(lambda: (weights + 3).sum(), n=3,  # doctest: +SKIP
        ...                      zero_grad="end", names={"weights": weights})

    Args:
        fn: called with no arguments, returns the tensor to call ``backward()`` on.
        n: how many calls.
        zero_grad: None, ``"end"`` or ``"each"``.
        gradient, retain_graph: as for ``Tensor.backward`` (each call frees its graph by default).
        accumulate: keep the final ``.grad`` values instead of restoring them.
        names: ``{"weights": weights}``; by default the caller's variables.
        **draw_options: passed to ``gradviz.draw``.
    """
    if zero_grad not in (None, "end", "each"):
        raise ValueError(f"zero_grad must be None, 'end' or 'each', not {zero_grad!r}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    names = _names(names)
    rec = _Recorder(names)
    guard = _GradGuard()
    try:
        for call in range(n):
            t = fn()
            steps, order, seeded = _record(t, gradient)
            scene = rec.scene(t, order, {"names": names, "legend": False, **draw_options}, reuse=True)
            guard.remember(steps)
            _commit(steps, retain_graph)
            prefix = f"call {call + 1} of {n} \u00b7 "
            rec.add_run(steps, order, scene, seeded, committed=True, prefix=prefix)
            if zero_grad == "each" or (zero_grad == "end" and call == n - 1):
                position = {node: i for i, node in enumerate(order)}
                for s in steps:
                    if isinstance(s.node, AccumulateGrad) and s.node.variable.grad is not None:
                        rec.add_zero(s.node.variable, position[s.node], scene, prefix)
    finally:
        if not accumulate:
            guard.restore()
    return BackwardPlayer(rec.scenes, rec.frames, rec.runs)


# ------------------------------------------------------------------ the player

def _script_json(obj: Any) -> str:
    """JSON that is also safe inside <script> and in saved widget state: no '<' at all.

    So neither '</script>' nor '<!--' can appear, whatever the names and the SVG hold.
    """
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _frame_state(frames: Sequence[dict], k: int) -> tuple[set[int], dict[str, tuple[str, bool]], dict[int, str]]:
    """What frame ``k`` shows: nodes done, edge texts (and whether sent just now), leaf notes.

    The same replay player.js does in the browser; used for the static picture.
    """
    f = frames[k]
    done: set[int] = set()
    edges: dict[str, tuple[str, bool]] = {}
    notes: dict[int, str] = {}
    for j, g in enumerate(frames[: k + 1]):
        if g["scene"] != f["scene"]:
            continue
        if g["note"]:
            notes[g["note"]["node"]] = g["note"]["text"]
        if g["run"] != f["run"]:
            continue
        for s in g["sends"]:
            if s["edge"]:
                edges[s["edge"]] = (s["text"], j == k)
        if j < k and g["node"] is not None:
            done.add(g["node"])
    return done, edges, notes


def _numbers(s: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d*\.?\d+(?:[eE][-+]?\d+)?", s)]


def _path_middle(d: str) -> tuple[float, float] | None:
    # Same rule as pathMiddle() in player.js: middle of Graphviz's chain of cubic Beziers.
    v = _numbers(d)
    pts = list(zip(v[0::2], v[1::2]))
    n = (len(pts) - 1) // 3
    if n < 1:
        return pts[0] if pts else None
    if n % 2 == 0:
        return pts[3 * n // 2]
    a, b, c, e = pts[3 * (n // 2): 3 * (n // 2) + 4]
    return tuple((a[i] + 3 * b[i] + 3 * c[i] + e[i]) / 8 for i in range(2))  # type: ignore[return-value]


_STILL_MAX = 400_000  # bytes of SVG above which the text/html fallback shows no picture
_MARGIN = 180  # as MARGIN in player.js: canvas room on the right for the numbers
_CSS_ID = re.compile(r"[A-Za-z][\w-]*")
_POINTS = re.compile(r'<polygon[^>]*?\spoints="([^"]*)"')
_PATH_D = re.compile(r'<path[^>]*?\sd="([^"]*)"')


def _place(placed: list[tuple[float, float, float]], x: float, y: float, text: str) -> float:
    # Same greedy rule as place() in player.js: move down until no overlap.
    w, h = 5.5 * len(text), 10.0
    for _ in range(50):
        if not any(x < bx + bw and bx < x + w and y - h < by and by - h < y for bx, by, bw in placed):
            break
        y += h
    placed.append((x, y, w))
    return y


def _static_svg(scene: _Scene, frames: Sequence[dict], k: int, css: str) -> str:
    """The scene's SVG with frame ``k`` baked in: a picture, no script.

    The states become CSS rules on element ids (one <style>, the layout text untouched) and
    the numbers an overlay group, placed by the same rules player.js uses.
    """
    f = frames[k]
    done, edges, notes = _frame_state(frames, k)
    svg, ids = scene.svg, scene._ids

    def sel(gid: str) -> str | None:
        return f"#{gid}" if _CSS_ID.fullmatch(gid) else None

    current = [sel(gid) for i in [f["node"]] if i in scene.nodes for gid in scene.elements(i)]
    pending = [sel(gid) for i in scene.nodes if i != f["node"] and i not in done for gid in scene.elements(i)]
    active = [sel(gid) for gid, (_, now) in edges.items() if now]
    rules = [css.replace("]]>", "")]
    for selectors, body in ((current, "fill:#ffb74d;stroke:#d84315;stroke-width:3px"),
                            (active, "stroke:#d84315;stroke-width:2.5px")):
        chosen = [x for x in selectors if x]
        if chosen:
            rules.append(", ".join(f"{x} > polygon, {x} > ellipse, {x} > path" for x in chosen) + f"{{{body}}}")
    if chosen_pending := [x for x in pending if x]:
        rules.append(", ".join(chosen_pending) + "{opacity:0.4}")

    placed: list[tuple[float, float, float]] = []
    overlay = []
    for gid, (text, now) in edges.items():
        path = _PATH_D.search(svg, ids[gid]) if gid in ids else None
        mid = _path_middle(path[1]) if path else None
        if mid:
            cls = "gv-grad gv-grad-active" if now else "gv-grad"
            overlay.append(_svg_text(cls, mid[0] + 4, _place(placed, mid[0] + 4, mid[1], text), text))
    for i, text in notes.items():
        shape = _POINTS.search(svg, ids[scene.nodes[i]]) if i in scene.nodes else None
        if shape:
            v = _numbers(shape[1])
            x, y = max(v[0::2]), (min(v[1::2]) + max(v[1::2])) / 2
            overlay.append(_svg_text("gv-note", x + 4, _place(placed, x + 4, y + 3, text), text))
    close = svg.rfind("</g>")
    if close >= 0:
        svg = svg[:close] + '<g class="gv-overlay">' + "".join(overlay) + "</g>" + svg[close:]
    style = "<style>/*<![CDATA[*/" + "\n".join(rules) + "/*]]>*/</style>"

    def widen(m: re.Match) -> str:
        attrs = m[1]
        vb = re.search(r'viewBox="([^"]*)"', attrs)
        w = re.search(r'width="([\d.]+)pt"', attrs)
        if vb and w and len(v := _numbers(vb[1])) == 4 and v[2] > 0:
            attrs = attrs.replace(vb[0], f'viewBox="{v[0]:g} {v[1]:g} {v[2] + _MARGIN:g} {v[3]:g}"')
            attrs = attrs.replace(w[0], f'width="{float(w[1]) * (v[2] + _MARGIN) / v[2]:g}pt"')
        return f'<svg class="gradviz-player"{attrs}>{style}'

    return re.sub(r"<svg\b([^>]*)>", widen, svg, count=1)


def _svg_text(cls: str, x: float, y: float, text: str) -> str:
    return f'<text class="{cls}" x="{x:.2f}" y="{y:.2f}">{html.escape(text, quote=True)}</text>'


_HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>
{css}
body {{ margin: 16px; }}
</style>
</head>
<body>
<div id="gradviz-player"></div>
<noscript>{fallback}</noscript>
<script type="application/json" id="gradviz-player-data">{payload}</script>
<script type="module">
{js}
// Stand-in for the widget model: the same player, with no kernel and no network.
const gvState = {{ _payload: document.getElementById("gradviz-player-data").textContent, step: 0 }};
render({{
  model: {{ get: (k) => gvState[k], set: (k, v) => {{ gvState[k] = v; }},
           on() {{}}, off() {{}}, save_changes() {{}} }},
  el: document.getElementById("gradviz-player"),
}});
</script>
</body>
</html>
"""


class BackwardPlayer(anywidget.AnyWidget):
    """A recorded backward pass as an inline player (built by ``animate``/``animate_loop``).

    Attributes:
        runs: the engine's Steps, one list per ``backward()`` call.
        steps: all Steps in order (``runs`` flattened).
        frames: what each position of the slider shows (plain dicts, JSON-ready).
        step: the frame shown; set it from Python to move the player.
    """

    _esm = _asset("player.js")
    _css = _asset("player.css")
    _payload = traitlets.Unicode("{}").tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)

    def __init__(self, scenes: Sequence[_Scene | str], frames: list[dict[str, Any]],
                 runs: Sequence[list[Step]] = (), **kwargs: Any) -> None:
        self.scenes = [s if isinstance(s, _Scene) else _Scene(s) for s in scenes]
        self.frames = list(frames)
        self.runs = list(runs)
        payload = _script_json({"scenes": [s.payload() for s in self.scenes], "frames": self.frames})
        super().__init__(_payload=payload, **kwargs)

    @property
    def steps(self) -> list[Step]:
        return [s for run in self.runs for s in run]

    def __repr__(self) -> str:
        if len(self.runs) > 1:
            return f"BackwardPlayer(runs={len(self.runs)}, steps={len(self.steps)})"
        return f"BackwardPlayer(steps={len(self.steps)})"

    def static_svg(self, k: int = 0) -> str:
        """Frame ``k`` as a standalone SVG picture (no script)."""
        return _static_svg(self.scenes[self.frames[k]["scene"]], self.frames, k, self._css_text())

    def _css_text(self) -> str:
        return str(self._css)

    def static_html(self, k: int = 0) -> str:
        """Frame ``k`` as inert HTML: an <img> of the SVG and the escaped caption."""
        if not self.frames:
            return "<pre>BackwardPlayer: no backward steps</pre>"
        f = self.frames[k]
        scene = self.scenes[f["scene"]]
        if len(scene.svg) > _STILL_MAX:
            # The widget already carries this SVG once; a second, base64 copy of a big graph
            # would push the output towards Jupyter's 1 MB/s output limit.
            picture = (f"<pre>(graph of {len(scene.nodes)} nodes: too big for a still picture here; "
                       "run the notebook or export with to_html())</pre>")
        elif scene.svg:
            data = base64.b64encode(self.static_svg(k).encode("utf-8")).decode("ascii")
            picture = f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(f["heading"], quote=True)}">'
        else:
            picture = f"<pre>{html.escape(scene.error or 'graph unavailable')}</pre>"
        rows = "".join(
            f'<tr><td style="color:#666;padding-right:10px;vertical-align:top">{html.escape(a)}</td>'
            f'<td style="font-family:monospace;white-space:pre-wrap">{html.escape(b)}</td></tr>'
            for a, b in f["lines"]
        )
        return (
            '<div class="gradviz-player-static">'
            f'{picture}<div style="font-weight:bold">{html.escape(f["heading"])}</div><table>{rows}</table>'
            f'<div style="color:#666">Frame {k + 1} of {len(self.frames)}: a still picture. '
            "Run the notebook (trusted, with widgets) to play it, or export it with to_html().</div></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = repr(self)           # deterministic for nbval
        data["text/html"] = self.static_html(0)   # nbconvert without widget state, GitHub, untrusted
        return bundle

    def to_html(self, path: Any = None) -> str:
        """One self-contained HTML file (inline SVG data, script and style; no network, no kernel).

        Returns the HTML text; also writes it to ``path`` when given.
        """
        js = str(self._esm)
        if "</script" in js.lower():
            raise RuntimeError("player.js must not contain '</script'")
        page = _HTML_PAGE.format(
            title=html.escape(repr(self)), css=self._css_text(), fallback=self.static_html(0),
            payload=self._payload, js=js,
        )
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(page)
        return page


Player = BackwardPlayer
