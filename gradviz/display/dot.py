"""to_dot(): DOT text for a tensor's graph, built from the engine's own walk (never a second one).

Node ids are ``n{i}`` with ``i`` the node's position in ``gradviz.graph.backward_order``
(so the same code gives the same text on every run, and animate() can find nodes);
extra nodes get other prefixes (``o`` operation, ``c`` constant, ``s`` saved tensor,
``m`` hidden inputs, ``t`` graph-less tensor, ``L`` legend, ``more``). Every piece
of text goes through escape.label(); attributes come only from fixed tables.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._multi_output import is_multi
from ..function import AccumulateGrad
from ..graph import backward_order
from ..tensor import Tensor
from . import style
from .collapse import plan
from .escape import label

__all__ = ["DotGraph", "RANKDIRS", "VIEWS", "op_text", "to_dot"]

VIEWS = ("autograd", "computation")
NO_GRAD_TEXT = "\u2702 made under no_grad"
RANKDIRS = ("TB", "LR", "BT", "RL")


@dataclass(frozen=True)
class DotGraph:
    """DOT text plus what it contains (for Graph's deterministic text/plain)."""

    source: str
    nodes: int  # DOT nodes drawn (legend excluded)
    edges: int  # DOT edges drawn
    total: int  # engine nodes in the walk
    collapsed: bool


class _Names:
    """Variable names for tensors, keyed by identity (tensors are never compared with ==)."""

    def __init__(self, names: Mapping[str, Any] | None) -> None:
        self._by_id: dict[int, str] = {}
        # constants reach the graph as bare arrays: id(array) -> name, split by requires_grad
        # so a detach() (same array, requires_grad=False) is told from its source
        self._by_data: dict[tuple[int, bool], str] = {}
        # arrays of named tensors made under no_grad: a constant input is only an array, so a
        # name is how a drawing learns that the array came out of a graph with grad turned off
        self._no_grad_data: set[int] = set()
        self._keep = []  # the named objects stay alive while their ids are in use
        for key, value in (names or {}).items():
            if isinstance(value, Tensor) and id(value) not in self._by_id:
                self._keep.append(value)
                self._by_id[id(value)] = str(key)
                self._by_data.setdefault((id(value._data), value._requires_grad), str(key))
                if not value._requires_grad and made_under_no_grad(value):
                    self._no_grad_data.add(id(value._data))

    def of(self, tensor: Any) -> str:
        return self._by_id.get(id(tensor), "") if tensor is not None else ""

    def of_array(self, array: Any) -> str:
        """Name of a tensor without grad whose data is ``array``."""
        return self._by_data.get((id(array), False), "")

    def requiring_grad_owner(self, array: Any) -> str:
        """Name of a tensor that requires grad and holds ``array`` (so the constant is its detach())."""
        return self._by_data.get((id(array), True), "")

    def made_under_no_grad(self, array: Any) -> bool:
        """Is ``array`` the data of a named tensor computed under no_grad from grad-requiring inputs?"""
        return id(array) in self._no_grad_data


def made_under_no_grad(t: Tensor) -> bool:
    """The engine marks results made with grad off from inputs that require grad (only then)."""
    return getattr(t, "_cut", None) == "no_grad"


# Ops whose Python-number parameter lives on the node, not in an input slot (where the computation
# view would draw it as a constant): class name -> (attribute, label with "{}" for the number,
# the default value that is not worth showing, or None)
_PARAMS: dict[str, tuple[str, str, object]] = {
    "PowBackward0": ("exponent", "pow {}", None),  # x ** 3
    "PowBackward2": ("base", "{} **", None),  # 2 ** x
    "MulBackward1": ("c", "\u00d7 {}", None),  # nn.functional's x * c
    "AddBackward1": ("c", "+ {}", None),
    "RsubBackward1": ("c", "{} \u2212", None),  # 2 - x
    "DivBackward1": ("c", "\u00f7 {}", None),
    "AddBackward0": ("alpha", "+ alpha={}", 1),  # torch.add(a, b, alpha=2)
    "SubBackward0": ("alpha", "\u2212 alpha={}", 1),
    "RsubBackward0": ("alpha", "\u2212 alpha={}", 1),
    "LeakyReluBackward0": ("negative_slope", "leaky_relu {}", None),
    "LeakyReluBackward1": ("negative_slope", "leaky_relu_ {}", None),
    "LinalgVectorNormBackward0": ("p", "norm p={}", 2),
}


def op_text(node: Any) -> str:
    """An operation's label in the computation view, with its number parameter: ``pow 3``, ``\u00d7 0.5``."""
    spec = _PARAMS.get(type(node).__name__)
    if spec is not None:
        value = getattr(node, spec[0], None)
        # a Python or NumPy number only; anything else (or the default) keeps the plain label
        if isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_)):
            if spec[2] is None or value != spec[2]:
                return spec[1].format(style.number(value))
    return node.label


def to_dot(
    tensors: Any,
    *,
    view: str = "autograd",
    names: Mapping[str, Any] | None = None,
    rankdir: str = "TB",
    max_nodes: int = 500,
    show_saved: bool = False,
    legend: bool = True,
) -> DotGraph:
    """Build DOT text for the graph behind ``tensors`` (one Tensor or a sequence of them)."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(map(repr, VIEWS))}, not {view!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(map(repr, RANKDIRS))}, not {rankdir!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)) or max_nodes < 2:
        raise ValueError(f"max_nodes must be an integer >= 2, not {max_nodes!r}")
    roots = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if not roots or not all(isinstance(t, Tensor) for t in roots):
        raise TypeError("draw() expects a Tensor or a sequence of Tensors")
    builder = _Builder(roots, view, _Names(names), rankdir, int(max_nodes), show_saved, legend)
    # The walk over a big graph allocates a few objects per node while the graph itself
    # (often just built, so still "young") is scanned by every cyclic collection that
    # the allocations trigger: 5-6x slower on 50,000 nodes. Nothing here makes cycles.
    paused = gc.isenabled()
    gc.disable()
    try:
        return builder.build()
    finally:
        if paused:
            gc.enable()


class _Builder:
    def __init__(self, roots, view, names, rankdir, max_nodes, show_saved, legend) -> None:
        self.roots, self.view, self.names = roots, view, names
        self.rankdir, self.max_nodes, self.show_saved, self.legend = rankdir, max_nodes, show_saved, legend
        self.lines: list[str] = []
        self.looks: set[str] = set()
        self.node_count = 0
        self.edge_count = 0

    # -- emitting ------------------------------------------------------------
    def node(self, ident: str, kind: str, *text: object) -> None:
        self.looks.add(kind)
        self.node_count += 1
        self.lines.append(f"  {ident} [label={label(*text)}, {style.LOOKS[kind][0]}];")

    def edge(self, tail: str, head: str, ident: str = "", attrs: str = "") -> None:
        self.edge_count += 1
        extra = [f'id="{ident}"'] if ident else []
        if attrs:
            extra.append(attrs)
        self.lines.append(f"  {tail} -> {head}" + (f" [{', '.join(extra)}]" if extra else "") + ";")

    # -- text -----------------------------------------------------------------
    def tensor_text(self, t: Any, shape, dtype) -> list[str]:
        lines = [style.shape_dtype(shape, dtype)]
        if t is not None:
            lines.append(style.values(t._data))
            if t._grad is not None:  # ._grad, not .grad: no non-leaf warning from a drawing
                lines.append("grad " + style.values(t._grad._data))
        return lines

    # -- the graph ----------------------------------------------------------------
    def build(self) -> DotGraph:
        fn_roots = list(dict.fromkeys(t.grad_fn for t in self.roots if t.grad_fn is not None))
        order = backward_order(fn_roots) if fn_roots else []
        n = len(order)
        pos = {node: i for i, node in enumerate(order)}
        self.order, self.pos = order, pos
        self.root_pos = {pos[fn] for fn in fn_roots}
        # which output of a root node each root tensor is (a root may be piece k of a split)
        self.root_nrs = {(pos[t.grad_fn], t._output_nr) for t in self.roots if t.grad_fn is not None}
        # computation view: a node with several outputs (split, chunk, a custom Function) gets a box
        # per output, and each consumer's edge leaves from the box of the output it used
        self.multi = {u for u, node in enumerate(order) if is_multi(node)} if self.view == "computation" else set()
        comp = self.view == "computation"
        if not comp and not self.show_saved:
            cost = [1] * n  # one box per node
        else:
            cost = []
            for node in order:
                c = 1
                if comp and not isinstance(node, AccumulateGrad):
                    c = 2 + sum(1 for fn, _ in node.next_functions if fn is None)
                    if is_multi(node):
                        c += node._n_outputs() - 1  # a box per further output
                if self.show_saved and node.saves_tensors:
                    c += max(1, len(node.saved_values()))
                cost.append(c)
        reserve = (len(style.LOOKS) if self.legend else 0) + 1  # legend entries + a "more" box
        chosen = plan(order, pos, self.root_pos, cost, max(1, self.max_nodes - reserve))
        self.size, self.run_leaves = chosen.size, chosen.run_leaves
        shown, kept = chosen.shown, set(chosen.shown)
        self.graph_data: dict[int, int] = {}  # id(ndarray) of drawn tensors -> unit, to spot detach()
        for u in shown:
            if chosen.size[u] == 1:
                node = order[u]
                t = node.variable if isinstance(node, AccumulateGrad) else node.output()
                if t is not None:
                    self.graph_data.setdefault(id(t._data), u)

        out = ["digraph gradviz {", f"  graph [rankdir={self.rankdir}, {style.GRAPH_ATTRS}];",
               f"  node [{style.NODE_ATTRS}];", f"  edge [{style.EDGE_ATTRS}];"]
        if chosen.collapsed:
            note = f"collapsed: showing {len(shown):,} boxes for {n:,} graph nodes (max_nodes={self.max_nodes:,})"
            out.append(f"  graph [label={label(note)}, labelloc=t, fontcolor=\"#b00020\"];")
        for t_index, t in enumerate(t for t in self.roots if t.grad_fn is None):
            self.graphless(f"t{t_index}", t)
        for u in shown:
            self.unit(u)
        for u in shown:
            entry = self.entry_id(u)
            ins = chosen.inputs.get(u)
            if ins:
                # edge() inlined: a big graph has one of these per input
                lines = self.lines
                for p, i, slot in ins:
                    if p in kept:
                        tail = f"n{p}"
                        if p in self.multi and chosen.size[p] == 1 and (nr := order[i].next_functions[slot][1]):
                            tail = f"n{p}_{nr}"
                        lines.append(f'  {tail} -> {entry} [id="gv-e{i}-{slot}"];')
                        self.edge_count += 1
            if u in chosen.hidden_inputs:
                self.node(f"m{u}", "more", f"\u2026 {chosen.hidden_inputs[u]:,} more inputs")
                self.edge(f"m{u}", entry)
        if chosen.cut_off:
            self.node("more", "more", f"\u2026 {chosen.cut_off:,} more nodes not shown",
                      f"(max_nodes={self.max_nodes:,})")
            fed = [u for u in shown if any(p not in kept for p, _, _ in chosen.inputs.get(u, ()))]
            for u in fed:
                self.edge("more", self.entry_id(u), attrs="style=dashed")
        drawn_nodes, drawn_edges = self.node_count, self.edge_count
        if self.legend and self.looks:
            self.emit_legend()
        out.extend(self.lines)
        out.append("}")
        return DotGraph("\n".join(out) + "\n", drawn_nodes, drawn_edges, n, chosen.collapsed)

    # -- ids: where a unit's value leaves, where its inputs arrive
    def exit_id(self, u: int) -> str:
        return f"n{u}"

    def entry_id(self, u: int) -> str:
        if self.view == "computation" and self.size[u] == 1 and not isinstance(self.order[u], AccumulateGrad):
            return f"o{u}"
        return f"n{u}"

    # -- one unit --------------------------------------------------------------------
    def unit(self, u: int) -> None:
        node = self.order[u]
        if self.size[u] > 1:
            what = node.name() if self.view == "autograd" else f"({node.label})"
            shape, dtype = node.output_meta
            leaves = self.run_leaves.get(u, 0)
            extra = [f"+ {leaves:,} leaf inputs"] if leaves else []
            self.node(f"n{u}", "folded", f"{what} \u00d7{self.size[u] - leaves:,}", *extra,
                      style.shape_dtype(shape, dtype))
            return
        if isinstance(node, AccumulateGrad):
            v = node.variable
            head = ["AccumulateGrad"] if self.view == "autograd" else []
            self.node(f"n{u}", "leaf", *head, self.names.of(v), *self.tensor_text(v, v._data.shape, v._dtype))
            return
        t = node.output()
        shape, dtype = node.output_meta
        freed = node.saves_tensors and node.saved_freed
        kind = "output" if u in self.root_pos else ("freed" if freed else "interior")
        note = ["saved tensors freed"] if freed else []
        if self.view == "autograd":
            self.node(f"n{u}", kind, node.name(), self.names.of(t), *self.tensor_text(t, shape, dtype), *note)
        else:
            self.node(f"o{u}", "freed" if freed else "op", op_text(node))
            self.edge(f"o{u}", f"n{u}", f"gv-o{u}")
            if u in self.multi:
                self.outputs(u, node)
            else:
                self.node(f"n{u}", "output" if u in self.root_pos else "interior",
                          self.names.of(t), *self.tensor_text(t, shape, dtype))
            for slot, ((fn, _), const) in enumerate(zip(node.next_functions, node.const_inputs)):
                if fn is None:
                    self.constant(f"c{u}_{slot}", const, f"o{u}", f"gv-e{u}-{slot}")
        if self.show_saved and node.saves_tensors:
            saved = node.saved_values()
            if not saved:
                self.node(f"s{u}_0", "freed", "saved tensors freed" if freed else "nothing saved")
                self.edge(f"s{u}_0", f"n{u}", attrs=style.SAVED_EDGE)
            for k, (key, arr) in enumerate(saved.items()):
                self.node(f"s{u}_{k}", "saved", f"saved {key}", style.shape_dtype(arr.shape, _dtype_of(arr)),
                          style.values(arr))
                self.edge(f"s{u}_{k}", f"n{u}", attrs=style.SAVED_EDGE)

    def outputs(self, u: int, node: Any) -> None:
        """The result boxes of a node with several outputs: n{u} for output 0, n{u}_{k} for output k."""
        for k, out in enumerate(node.outputs()):
            if out is None:
                continue  # a custom Function's non-tensor output
            t, shape, dtype = out
            ident = f"n{u}" if k == 0 else f"n{u}_{k}"
            if k:
                self.edge(f"o{u}", ident, f"gv-o{u}-{k}")
            self.node(ident, "output" if (u, k) in self.root_nrs else "interior",
                      self.names.of(t), *self.tensor_text(t, shape, dtype))

    def constant(self, ident: str, value: Any, target: str, edge_id: str) -> None:
        if isinstance(value, np.ndarray):
            # the very array of a tensor that requires grad: a detach() (or .data) of it
            source = self.graph_data.get(id(value))
            owner = self.names.requiring_grad_owner(value)
            if source is not None or owner:
                self.node(ident, "cut", "\u2702 detached" + (f" from {owner}" if owner else ""),
                          self.names.of_array(value),
                          style.shape_dtype(value.shape, _dtype_of(value)), style.values(value))
                if source is not None:
                    self.edge(f"n{source}", ident, attrs=style.CUT_EDGE)
            elif self.names.made_under_no_grad(value):
                self.node(ident, "cut", NO_GRAD_TEXT, self.names.of_array(value),
                          style.shape_dtype(value.shape, _dtype_of(value)), style.values(value))
            else:
                self.node(ident, "constant", self.names.of_array(value),
                          style.shape_dtype(value.shape, _dtype_of(value)), style.values(value))
        else:
            self.node(ident, "constant", style.scalar(value))
        self.edge(ident, target, edge_id)

    def graphless(self, ident: str, t: Any) -> None:
        """A tensor with no grad_fn: a leaf if it requires grad; cut if it was made from a graph
        (under no_grad, or a detach() of a named tensor); else a plain constant."""
        text = [self.names.of(t), *self.tensor_text(t, t._data.shape, t._dtype)]
        if t._requires_grad:
            self.node(ident, "leaf", *text)
            return
        if made_under_no_grad(t):
            self.node(ident, "cut", NO_GRAD_TEXT, *text)
            return
        owner = self.names.requiring_grad_owner(t._data)  # same array as a tensor with grad: detach()
        if owner:
            self.node(ident, "cut", f"\u2702 detached from {owner}", *text)
        else:
            self.node(ident, "constant", "no grad_fn, requires_grad=False", *text)

    def emit_legend(self) -> None:
        self.lines.append('  subgraph cluster_legend {')
        self.lines.append(f"    graph [label={label('legend')}, {style.LEGEND_ATTRS}];")
        kinds = [k for k in style.LOOKS if k in self.looks]
        for k, kind in enumerate(kinds):
            self.lines.append(f"    L{k} [label={label(style.LOOKS[kind][1])}, {style.LOOKS[kind][0]}, fontsize=8];")
        for k in range(1, len(kinds)):  # invisible edges stack the entries in one column
            self.lines.append(f"    L{k - 1} -> L{k} [style=invis];")
        self.lines.append("  }")


def _dtype_of(arr: np.ndarray) -> str:
    return str(arr.dtype)
