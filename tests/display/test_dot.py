"""DOT built by draw()/to_dot(): golden graphs vs PyTorch, looks, names, collapse, determinism; no renderer needed
except where marked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradviz
from gradviz.display import draw, style
from gradviz.display.dot import to_dot

NODE = re.compile(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)", (.*)\];$')
EDGE = re.compile(r"^  (\w+) -> (\w+)(?: \[(.*)\])?;$")


def unescape(text: str) -> list[str]:
    """DOT label text back to its lines (the inverse of escape.label)."""
    lines, cur, i = [], [], 0
    while i < len(text):
        if text[i] == "\\":
            nxt = text[i + 1]
            if nxt == "n":
                lines.append("".join(cur))
                cur = []
            else:
                cur.append(nxt)
            i += 2
        else:
            cur.append(text[i])
            i += 1
    lines.append("".join(cur))
    return [line.replace("&amp;", "&") for line in lines]


class Parsed:
    """Nodes and edges of our DOT output (the legend cluster, indented deeper, is skipped)."""

    def __init__(self, source: str) -> None:
        self.nodes: dict[str, tuple[list[str], str]] = {}
        self.edges: list[tuple[str, str, str]] = []
        for line in source.splitlines():
            if (m := NODE.match(line)) and m[1] not in ("graph", "node", "edge"):
                self.nodes[m[1]] = (unescape(m[2]), m[3])
            elif m := EDGE.match(line):
                ident = re.search(r'id="([^"]*)"', m[3] or "")
                self.edges.append((m[1], m[2], ident[1] if ident else ""))
        self.legend = re.findall(r'^    L\d+ \[label="([^"]*)"', source, re.M)

    def text(self, ident: str) -> list[str]:
        return self.nodes[ident][0]

    def look(self, ident: str) -> str:
        return self.nodes[ident][1]

    def structure(self) -> list[tuple[str, tuple[int | None, ...]]]:
        """next_functions rebuilt from edge ids ``gv-e{consumer}-{slot}``, numbered breadth-first from n0."""
        inputs: dict[int, dict[int, str]] = {}
        for tail, _, ident in self.edges:
            if m := re.fullmatch(r"gv-e(\d+)-(\d+)", ident):
                inputs.setdefault(int(m[1]), {})[int(m[2])] = tail
        bfs = {0: 0}
        order = [0]
        rows = []
        k = 0
        while k < len(order):
            i = order[k]
            k += 1
            text = self.text(f"n{i}")
            name = text[0] if text[0] in ("AccumulateGrad",) or text[0].endswith(tuple("0123456789")) else None
            slots = inputs.get(i, {})
            row = []
            for slot in range(max(slots, default=-1) + 1 if slots else 0):
                tail = slots.get(slot)
                if tail is None or not tail.startswith("n"):
                    row.append(None)  # no edge (autograd view) or a constant node (computation view)
                    continue
                j = int(tail[1:])
                if j not in bfs:
                    bfs[j] = len(order)
                    order.append(j)
                row.append(bfs[j])
            rows.append((name, tuple(row)))
        return rows


# ----------------------------------------------------------------------- golden graphs
# Recorded from torch 2.13.0: grad_fn.name() and next_functions, numbered breadth-first
# from the root (None = a constant input); AccumulateGrad's name() there is
# 'torch::autograd::AccumulateGrad'.
GOLDEN = {
    "seed": [("MeanBackward0", (1,)), ("MulBackward0", (2, None)), ("MulBackward0", (3, 3)),
             ("AddBackward0", (4, None)), ("AccumulateGrad", ())],
    "Q": [("SubBackward0", (1, 2)), ("MulBackward0", (3, None)), ("PowBackward0", (4,)),
          ("PowBackward0", (5,)), ("AccumulateGrad", ()), ("AccumulateGrad", ())],
    "mse": [("MeanBackward0", (1,)), ("PowBackward0", (2,)), ("SubBackward0", (3, None)),
            ("MmBackward0", (None, 4)), ("AccumulateGrad", ())],
}


def build(lib, which):
    """The seed examples, written once for both gradviz and torch."""
    if which == "seed":
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x + 2
        z = y * y * 2
        z = z.mean()
        return z, {"x": x, "y": y, "z": z}
    if which == "Q":
        a = lib.tensor([2.0, 3.0], requires_grad=True)
        b = lib.tensor([6.0, 4.0], requires_grad=True)
        Q = 3 * a**3 - b**2
        return Q, {"a": a, "b": b, "Q": Q}
    x = lib.arange(6).reshape(2, 3) * 1.0
    target = lib.tensor([[1.0], [2.0]])
    w = lib.ones((3, 1), requires_grad=True)
    loss = ((x.matmul(w) - target) ** 2).mean()
    return loss, {"x": x, "target": target, "w": w, "loss": loss}


def strip_none(rows):
    out = []
    for name, slots in rows:
        slots = list(slots)
        while slots and slots[-1] is None:
            slots.pop()
        out.append((name.replace("torch::autograd::", ""), tuple(slots)))
    return out


def torch_structure(fn):
    ids, order, rows = {fn: 0}, [fn], []
    for n in order:  # order grows while iterating: a breadth-first walk without recursion
        row = []
        for p, _ in n.next_functions:
            if p is not None and p not in ids:
                ids[p] = len(order)
                order.append(p)
            row.append(None if p is None else ids[p])
        rows.append((n.name().replace("torch::autograd::", ""), tuple(row)))
    return rows


@pytest.mark.parametrize("which", list(GOLDEN))
def test_autograd_view_matches_recorded_torch_graph(which):
    out, names = build(gradviz, which)
    p = Parsed(to_dot(out, names=names).source)
    assert p.structure() == strip_none(GOLDEN[which])  # a constant input draws no edge here
    # exactly the walk's nodes and one edge per tracked input, nothing else outside the legend
    assert set(p.nodes) == {f"n{i}" for i in range(len(GOLDEN[which]))}
    assert len(p.edges) == sum(s is not None for _, slots in GOLDEN[which] for s in slots)


@pytest.mark.torch
@pytest.mark.parametrize("which", list(GOLDEN))
def test_golden_is_what_torch_builds(which):
    torch = pytest.importorskip("torch")
    out, _ = build(torch, which)
    assert torch_structure(out.grad_fn) == GOLDEN[which]


@pytest.mark.parametrize("which", list(GOLDEN))
def test_computation_view_has_data_ops_and_constants(which):
    out, names = build(gradviz, which)
    p = Parsed(to_dot(out, names=names, view="computation").source)
    golden = GOLDEN[which]
    ops = [i for i, (name, _) in enumerate(golden) if name != "AccumulateGrad"]
    constants = sum(s is None for _, slots in golden for s in slots)
    kinds = [k[0] for k in p.nodes]
    assert (kinds.count("n"), kinds.count("o"), kinds.count("c")) == (len(golden), len(ops), constants)
    # each op feeds exactly its own data node ...
    op_edges = [(t, h, i) for t, h, i in p.edges if i.startswith("gv-o")]
    assert len(op_edges) == len(ops) and all(t == "o" + i[4:] and h == "n" + i[4:] for t, h, i in op_edges)
    # ... and takes tracked inputs from data nodes, constant slots from constant nodes, slot for slot
    assert [slots for _, slots in p.structure()] == [slots for _, slots in golden]
    assert len(p.edges) == len(ops) + sum(len(slots) for _, slots in golden)


def test_seed_example_constants_and_names():
    out, names = build(gradviz, "seed")
    p = Parsed(to_dot(out, names=names, view="computation").source)
    assert sorted(p.text(c)[0] for c in p.nodes if c.startswith("c")) == ["2", "2"]
    assert p.text("n0")[0] == "z" and "x" in [p.text(k)[0] for k in p.nodes]
    mse, names = build(gradviz, "mse")
    p = Parsed(to_dot(mse, names=names, view="computation").source)
    const_text = [p.text(c) for c in p.nodes if c.startswith("c")]
    assert sorted(t[0] for t in const_text) == ["target", "x"]
    assert ["x", "(2, 3) float32"] in [t[:2] for t in const_text]


def test_x_times_x_draws_two_edges():
    x = gradviz.tensor([3.0], requires_grad=True)
    y = x * x
    for view, head in (("autograd", "n0"), ("computation", "o0")):
        p = Parsed(to_dot(y, view=view, names={"x": x, "y": y}).source)
        into = sorted(i for t, h, i in p.edges if h == head and t == "n1")
        assert into == ["gv-e0-0", "gv-e0-1"]


def test_split_draws_one_node_with_an_edge_to_each_consumer():
    # torch gives the three pieces one SplitBackward0 node (output_nr 0, 1, 2): one box, three edges out.
    x = gradviz.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], requires_grad=True)
    a, b, c = x.split(2)
    consumers = [a * 2, b.exp(), c.sin()]
    loss = consumers[0].sum() + consumers[1].sum() + consumers[2].sum()
    p = Parsed(to_dot(loss).source)
    split = [i for i in p.nodes if p.text(i)[0] == "SplitBackward0"]
    assert len(split) == 1
    heads = sorted(p.text(h)[0] for t, h, _ in p.edges if t == split[0])
    assert heads == ["ExpBackward0", "MulBackward0", "SinBackward0"]
    leaf = [i for i in p.nodes if p.text(i)[0] == "AccumulateGrad"]
    assert [(t, h) for t, h, _ in p.edges if t == leaf[0]] == [(leaf[0], split[0])]
    # computation view: one "split" operation with a result box per piece (its values), and each
    # piece's box feeds the operation that used that piece
    p = Parsed(to_dot(loss, view="computation", names={"a": a, "b": b, "c": c}).source)
    ops = [i for i in p.nodes if i.startswith("o") and p.text(i)[0] == "split"]
    assert len(ops) == 1
    outs = [h for t, h, _ in p.edges if t == ops[0]]
    assert [p.text(h)[0] for h in outs] == ["a", "b", "c"]
    assert [p.text(h)[2] for h in outs] == ["[1, 2]", "[3, 4]", "[5, 6]"]
    used = {p.text(o)[0]: [p.text(h)[0] for t, h, _ in p.edges if t == o] for o in outs}
    assert used == {"a": ["×"], "b": ["exp"], "c": ["sin"]}


def test_multi_output_boxes_follow_output_nr_and_mark_the_drawn_piece():
    x = gradviz.arange(6.0).requires_grad_()
    first, second = x.unbind(0)[:2]
    p = Parsed(to_dot(second, view="computation", names={"first": first, "second": second}).source)
    boxes = {p.text(i)[0]: p.nodes[i][1] for i in p.nodes if p.text(i)[0] in ("first", "second")}
    assert len(boxes) == 2
    # the tensor drawn is piece 1: its box, not piece 0's, has the output look
    assert boxes == {"first": style.LOOKS["interior"][0], "second": style.LOOKS["output"][0]}

    class Two(gradviz.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2, t * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    u, v = Two.apply(x)
    p = Parsed(to_dot((v * 1).sum(), view="computation", names={"u": u, "v": v}).source)
    (op,) = [i for i in p.nodes if i.startswith("o") and p.text(i)[0] == "Two"]
    outs = {p.text(h)[0]: h for t, h, _ in p.edges if t == op}
    assert set(outs) == {"u", "v"}
    assert [p.text(h)[0] for t, h, _ in p.edges if t == outs["v"]] == ["×"]
    assert not [h for t, h, _ in p.edges if t == outs["u"]]


# ----------------------------------------------------------------------- text and looks


def test_labels_show_op_name_shape_dtype_values_and_grad_once_set():
    x = gradviz.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x + 2
    z = (y * y * 2).mean()
    before = Parsed(to_dot(z, names={"x": x, "y": y, "z": z}).source)
    leaf = [k for k in before.nodes if before.text(k)[0] == "AccumulateGrad"][0]
    assert before.text(leaf) == ["AccumulateGrad", "x", "(3,) float32", "[1, 2, 3]"]
    assert before.text("n0")[:3] == ["MeanBackward0", "z", "() float32"]
    z.backward()
    after = Parsed(to_dot(z, names={"x": x, "y": y, "z": z}).source)
    assert after.text(leaf)[-1] == "grad " + style.values(x.grad._data)


@pytest.mark.torch
def test_grad_line_agrees_with_torch():
    torch = pytest.importorskip("torch")
    t_out, t_names = build(torch, "mse")
    t_out.backward()
    g_out, g_names = build(gradviz, "mse")
    g_out.backward()
    p = Parsed(to_dot(g_out, names=g_names).source)
    leaf = [k for k in p.nodes if p.text(k)[0] == "AccumulateGrad"][0]
    assert p.text(leaf)[-1] == "grad " + style.values(t_names["w"].grad.numpy())


def test_kinds_look_different_and_the_legend_lists_them():
    a = gradviz.tensor([1.0, 2.0], requires_grad=True)
    c = gradviz.tensor([5.0, 6.0])  # requires_grad=False
    out = (a * c + 1).sum()
    p = Parsed(to_dot(out, view="computation", names={"a": a, "c": c, "out": out}).source)
    by_text = {p.text(k)[0]: p.look(k) for k in p.nodes}
    looks = {by_text["a"], by_text["c"], by_text["1"], by_text["out"]}
    interior = [p.look(k) for k in p.nodes if k.startswith("n") and p.text(k)[0] not in ("a", "out")]
    assert len({by_text["a"], by_text["c"], by_text["out"], interior[0]}) == 4
    assert by_text["c"] == by_text["1"]  # a constant tensor and a Python number: both constants
    assert len(looks) == 3
    assert {"leaf, requires_grad", "constant / requires_grad=False", "interior result", "output",
            "operation"} <= set(p.legend)
    assert Parsed(to_dot(out, legend=False).source).legend == []


def test_freed_nodes_look_freed_after_backward():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    kept = Parsed(to_dot(y, names={}).source)
    assert "saved tensors freed" not in str(kept.nodes)
    y.backward()
    freed = Parsed(to_dot(y, names={}).source)
    mul = [k for k in freed.nodes if freed.text(k)[0] == "MulBackward0"][0]
    assert "dashed" in freed.look(mul) and freed.text(mul)[-1] == "saved tensors freed"
    assert "saved tensors freed by backward()" in freed.legend


def test_saved_tensors_on_request():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    assert not any(k.startswith("s") for k in Parsed(to_dot(y).source).nodes)
    p = Parsed(to_dot(y, show_saved=True, names={}).source)
    saved = [k for k in p.nodes if k.startswith("s")]
    mul = [k for k in p.nodes if p.text(k)[0] == "MulBackward0"][0]
    assert saved and all((s, mul) in [(t, h) for t, h, _ in p.edges] for s in saved)
    assert all(p.text(s)[0].startswith("saved ") for s in saved)


def test_detached_and_no_grad_results_are_cut():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.detach()
    with gradviz.no_grad():
        k = x * 3
    plain = gradviz.tensor([5.0, 6.0])  # never was in a graph
    for view in ("autograd", "computation"):
        pz = Parsed(to_dot(z, view=view, names={"x": x, "y": y, "z": z}).source)
        assert pz.text("t0")[:2] == ["\u2702 detached from y", "z"]
        pk = Parsed(to_dot(k, view=view, names={"k": k}).source)
        assert pk.text("t0")[:3] == ["\u2702 made under no_grad", "k", "(2,) float32"]
        assert Parsed(to_dot(k, view=view, names={}).source).text("t0")[0] == "\u2702 made under no_grad"
        pp = Parsed(to_dot(plain, view=view, names={"plain": plain}).source)
        assert pp.text("t0")[:2] == ["no grad_fn, requires_grad=False", "plain"]
        # detached and no_grad results share the cut look; a plain constant does not
        assert pz.look("t0") == pk.look("t0") == style.LOOKS["cut"][0]
        assert pp.look("t0") == style.LOOKS["constant"][0]
        assert "cut: detached / made under no_grad" in pk.legend and pk.legend == pz.legend
        assert "cut: detached / made under no_grad" not in pp.legend
    # used next to its source, the detached copy is a cut constant wired back to it
    w = y.detach() + y
    pw = Parsed(to_dot(w, view="computation", names={"y": y, "w": w}).source)
    cut = [k for k in pw.nodes if pw.text(k)[0] == "\u2702 detached from y"]
    assert len(cut) == 1 and any(t == "n1" and h == cut[0] for t, h, _ in pw.edges)


def test_no_grad_results_feeding_a_graph_are_cut_constants():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    with gradviz.no_grad():
        k = x * 3  # made from x with grad off: the engine marks it
        m = gradviz.tensor([1.0, 1.0]) * 3  # grad off too, but from nothing that requires grad
    assert getattr(k, "_cut", None) == "no_grad" and getattr(m, "_cut", None) is None
    out = x * k + m
    p = Parsed(to_dot(out, view="computation", names={"x": x, "k": k, "m": m, "out": out}).source)
    by_name = {p.text(c)[1]: c for c in p.nodes if c.startswith("c") and len(p.text(c)) > 1}
    assert p.text(by_name["k"])[0] == "\u2702 made under no_grad"
    assert p.look(by_name["k"]) == style.LOOKS["cut"][0]
    consts = [c for c in p.nodes if c.startswith("c") and p.text(c)[0] == "m"]
    assert len(consts) == 1 and p.look(consts[0]) == style.LOOKS["constant"][0]
    # no edge reaches the cut constant: where it came from is not part of this graph
    assert not any(h == by_name["k"] for _, h, _ in p.edges)
    assert "cut: detached / made under no_grad" in p.legend


def test_computation_view_shows_number_parameters_on_the_op():
    torch = pytest.importorskip("torch")
    a = gradviz.tensor([2.0, 3.0], requires_grad=True)
    ta = torch.tensor([2.0, 3.0], requires_grad=True)
    cases = [
        (lambda t: t**3, "pow 3"),
        (lambda t: t.pow(0.5), "pow 0.5"),
        (lambda t: 2**t, "2 **"),
        (lambda t: 2 - t, "2 \u2212"),
        (lambda t: torch_or_gradviz(t).add(t, t, alpha=2), "+ alpha=2"),
        (lambda t: torch_or_gradviz(t).sub(t, t, alpha=3), "\u2212 alpha=3"),
        (lambda t: t.norm(p=1), "norm p=1"),
        (lambda t: functional(t).leaky_relu(t, 0.2), "leaky_relu 0.2"),
    ]
    for make, text in cases:
        out = make(a)
        # the op is the one torch builds, and it is that op's number that is shown
        assert out.grad_fn.name() == make(ta).grad_fn.name()
        p = Parsed(to_dot(out, view="computation", names={}).source)
        assert p.text("o0") == [text], text
    # default parameters add nothing
    for out, text in ((a + a, "+"), (a.norm(), "norm"), (a * 2, "\u00d7")):
        assert Parsed(to_dot(out, view="computation", names={}).source).text("o0") == [text]


def torch_or_gradviz(t):
    return gradviz if isinstance(t, gradviz.Tensor) else pytest.importorskip("torch")


def functional(t):
    return gradviz.nn.functional if isinstance(t, gradviz.Tensor) else pytest.importorskip("torch").nn.functional


def test_names_from_the_callers_variables():
    weights = gradviz.tensor([1.0, 2.0], requires_grad=True)
    prediction = weights * 3
    loss = prediction.sum()
    p = Parsed(draw(loss).source)
    assert [p.text(f"n{i}")[1] for i in range(3)] == ["loss", "prediction", "weights"]
    q = Parsed(draw(loss, names={"L": loss}).source)  # explicit names replace the guess
    assert q.text("n0")[1] == "L" and q.text("n1")[1] == "(2,) float32"


def _helper_that_draws(inner_name):
    return draw(inner_name)  # draw's own parameter is `t`: the name must come from this frame


def test_names_come_from_the_first_frame_outside_gradviz():
    v = gradviz.tensor([1.0], requires_grad=True)
    p = Parsed(_helper_that_draws(v * 2).source)
    assert p.text("n0")[1] == "inner_name"


def test_hostile_names_are_escaped():
    x = gradviz.tensor([1.0], requires_grad=True)
    evil = '<x> URL="javascript:alert(1)" tooltip=<y>\\N"\n}; n9 [shape=none]; {\x00\u202e'
    src = to_dot(x * 2, names={evil: x}).source
    assert "URL=" not in src.replace('URL=\\"', "")  # the only URL= is inside an escaped label
    assert 'n9 [shape=none]' not in re.sub(r'"(?:[^"\\]|\\.)*"', '""', src)  # nothing escapes a label
    p = Parsed(src)
    leaf_text = p.text("n1")
    assert leaf_text[1:3] == ['<x> URL="javascript:alert(1)" tooltip=<y>\\N"', "}; n9 [shape=none]; {\ufffd\ufffd"]


def test_hostile_names_render_safely_with_the_embedded_renderer():
    pytest.importorskip("wasmtime")
    from gradviz.display import render

    x = gradviz.tensor([1.0], requires_grad=True)
    names = {f'<script>alert({i})</script>&#0;\\"{i}': t for i, t in enumerate([x])}
    g = draw(x * 2, names=names)
    svg = render.render_svg(g.source, renderer=render.make_renderer("wasm"))
    assert "<script>" not in svg and "&lt;script&gt;alert(0)&lt;/script&gt;&amp;#0;\\&quot;0" in svg


# ----------------------------------------------------------------------- options and size


def test_options_are_validated_never_passed_through():
    x = gradviz.tensor([1.0], requires_grad=True)
    assert "rankdir=LR" in to_dot(x * 2, rankdir="LR").source
    for bad in ({"rankdir": "LR; evil"}, {"view": "both"}, {"max_nodes": 1}, {"max_nodes": "9"}):
        with pytest.raises(ValueError):
            to_dot(x * 2, **bad)
    with pytest.raises(TypeError):
        to_dot("not a tensor")


def test_graph_text_plain_counts_what_is_drawn():
    out, names = build(gradviz, "Q")
    g = draw(out, names=names)
    p = Parsed(g.source)
    assert repr(g) == f"gradviz.Graph(nodes={len(p.nodes)}, edges={len(p.edges)})"
    assert g._repr_mimebundle_(include={"text/plain"}) == {"text/plain": "gradviz.Graph(nodes=6, edges=5)"}


def test_same_graph_same_source():
    out, names = build(gradviz, "mse")
    assert to_dot(out, names=names).source == to_dot(out, names=names).source


def test_byte_identical_svg_across_processes():
    pytest.importorskip("wasmtime")
    code = textwrap.dedent(
        """
        import gradviz as torch
        from gradviz.display import render
        x = torch.arange(6).reshape(2, 3) * 1.0
        w = torch.ones((3, 1), requires_grad=True)
        loss = ((x.matmul(w) - torch.tensor([[1.0], [2.0]])) ** 2).mean()
        loss.backward()
        svg = render.render_svg(torch.draw(loss, view="computation").source, renderer=render.make_renderer("wasm"))
        """
    )
    here: dict = {}
    exec(code, here)  # this process ...
    # ... and a fresh one with another hash seed: nothing may depend on hashing, id() or history
    env = dict(os.environ, PYTHONHASHSEED="12345")
    run = subprocess.run([sys.executable, "-c", code + "import sys; sys.stdout.write(svg)"], env=env,
                         capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr.decode()
    assert run.stdout.decode("utf-8") == here["svg"] and here["svg"].startswith("<?xml")


def test_value_summaries_are_short_and_read_only_six_elements():
    # 10**12 elements that take no memory (one value, broadcast): anything that walked or
    # copied the array would never finish, so this proves O(1) work without a timing threshold
    huge = np.broadcast_to(np.float32(0.5), (10**6, 10**6))
    assert style.values(huge) == "[0.5, 0.5, 0.5, \u2026, 0.5, 0.5, 0.5]"
    cases = [huge, np.arange(10**6, dtype=np.float32), np.zeros((2,) * 20), np.zeros((0, 3)), np.array(2.5)]
    for arr in cases:
        assert len(style.values(arr)) <= 160
    assert style.values(np.arange(10**6)) == "[0, 1, 2, \u2026, 999997, 999998, 999999]"
    assert style.values(np.array([np.nan, np.inf, -np.inf])) == "[nan, inf, -inf]"
    assert style.values(np.zeros((0, 3))) == "[]"


@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float16, np.float32, np.float64, np.int64, np.int8, np.bool_]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
        elements={"allow_nan": True, "allow_infinity": True, "allow_subnormal": True},
    )
)
def test_value_summary_formats_each_shown_element_like_number(arr):
    # the fast float path must give exactly what style.number() gives element by element
    flat = arr.reshape(-1).tolist()
    shown = flat if len(flat) <= 6 else flat[:3] + flat[-3:]
    parts = [style.number(v) for v in shown]
    if arr.ndim == 0:
        expected = parts[0]
    elif len(flat) <= 6:
        expected = "[" + ", ".join(parts) + "]"
    else:
        expected = "[" + ", ".join(parts[:3]) + ", \u2026, " + ", ".join(parts[3:]) + "]"
    assert style.values(arr) == expected


# ----------------------------------------------------------------------- big graphs

@pytest.fixture(scope="module")
def deep_chain():
    x = gradviz.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    return x, y


def test_100k_deep_chain_draws_collapsed_without_recursion(deep_chain):
    x, y = deep_chain
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below the depth: any recursion over the graph would fail
    try:
        built = to_dot(y, names={"x": x, "y": y})
    finally:
        sys.setrecursionlimit(limit)
    p = Parsed(built.source)
    assert built.total == 100_001 and built.collapsed
    assert [p.text(k)[0] for k in p.nodes] == ["MulBackward0", "MulBackward0 \u00d799,999", "AccumulateGrad"]
    assert 'label="collapsed: showing 3 boxes for 100,001 graph nodes (max_nodes=500)"' in built.source


def test_a_graph_over_budget_is_truncated_visibly():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(1_000):  # alternating ops: nothing to fold, so the budget cuts
        y = (y + 1.0) * 1.0001
    built = to_dot(y, names={}, max_nodes=100)
    p = Parsed(built.source)
    assert len(p.nodes) + len(p.legend) <= 100
    more = p.text("more")
    hidden = int(more[0].split()[1].replace(",", ""))
    shown = sum(1 for k in p.nodes if k.startswith("n"))
    assert shown + hidden == built.total == 2_001 and more[1] == "(max_nodes=100)"
    assert built.source.count("collapsed: showing") == 1
    # what is shown is the part next to the output, still connected to it
    assert p.look("n0") == Parsed(to_dot(y, names={}).source).look("n0")


def test_fan_in_is_capped_when_collapsing():
    x = gradviz.tensor([1.0], requires_grad=True)
    total = x * 0
    for i in range(1, 1_000):
        total = total + x * float(i)
    p = Parsed(to_dot(total, names={}, max_nodes=60).source)
    stubs = [k for k in p.nodes if k.startswith("m")]
    assert len(stubs) == 1 and p.text(stubs[0]) == ["\u2026 991 more inputs"]
    assert len(p.nodes) + len(p.legend) <= 60


def test_sum_of_many_leaves_folds_into_one_box():
    leaves = [gradviz.tensor([float(i)], requires_grad=True) for i in range(2_000)]
    total = leaves[0]
    for t in leaves[1:]:
        total = total + t
    p = Parsed(to_dot(total, names={}).source)
    folded = [p.text(k) for k in p.nodes if "\u00d7" in p.text(k)[0]]
    # 1,999 adds: the output keeps its own box, the other 1,998 fold; of the 2,000 leaves
    # the output's own and the two of the first add stay visible as inputs: 1,997 fold
    assert folded == [["AddBackward0 \u00d71,998", "+ 1,997 leaf inputs", "(1,) float32"]]
    boxes = sorted(p.text(k)[0] for k in p.nodes)
    assert boxes == ["AccumulateGrad"] * 3 + ["AddBackward0", "AddBackward0 \u00d71,998"]


# ----------------------------------------------------------------------- IPython extension


def test_ipython_extension_shows_text_and_graph_only_when_loaded():
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("import gradviz as torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x * 2")
    y, x = shell.user_ns["y"], shell.user_ns["x"]
    plain, _ = shell.display_formatter.format(y)
    assert set(plain) == {"text/plain"} and plain["text/plain"] == repr(y)
    shell.run_line_magic("load_ext", "gradviz")
    try:
        data, _ = shell.display_formatter.format(y)
        assert data["text/plain"] == repr(y) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
        assert data["image/svg+xml"].lstrip().startswith("<?xml")
        assert ">y</text>" in data["image/svg+xml"]  # named from the notebook's namespace
        leaf, _ = shell.display_formatter.format(x)  # no grad_fn: text only, as before
        assert set(leaf) == {"text/plain"}
    finally:
        shell.run_line_magic("unload_ext", "gradviz")
    data, _ = shell.display_formatter.format(y)
    assert set(data) == {"text/plain"}
