"""animate(): the recorded steps are the engine's backward pass; the player's outputs are safe and static-friendly."""
from __future__ import annotations

import importlib
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

import gradviz
from gradviz import autograd
from gradviz.function import SECOND_BACKWARD

# The module, not the function the package may re-export under the same name.
anim = importlib.import_module("gradviz.display.animate")

# --------------------------------------------------------------------------- helpers


def fake_svg(order) -> str:
    """A Graphviz-shaped SVG for ``order`` (node DOT names n0..nK, edges producer->consumer).

    Lets the recording be tested without a Graphviz renderer; the real draw() is used in
    test_real_layout when one is available.
    """
    pos = {node: i for i, node in enumerate(order)}
    parts = ['<svg width="200pt" height="400pt" viewBox="0.00 0.00 200.00 400.00" '
             'xmlns="http://www.w3.org/2000/svg"><g id="graph0" class="graph" transform="translate(4 396)">']
    for i, node in enumerate(order):
        y = -40 * i
        parts.append(f'<g id="node{i + 1}" class="node"><title>n{i}</title>'
                     f'<polygon fill="lightgrey" stroke="black" points="0,{y} 80,{y} 80,{y - 20} 0,{y - 20} 0,{y}"/>'
                     f'<text x="40" y="{y - 6}">{type(node).__name__}</text></g>')
    e = 0
    for i, node in enumerate(order):
        for fn, _ in node.next_functions:
            if fn is not None:
                e += 1
                j = pos[fn]
                parts.append(f'<g id="edge{e}" class="edge"><title>n{j}&#45;&gt;n{i}</title>'
                             f'<path fill="none" stroke="black" d="M{10 + e},{-40 * j - 20}C{10 + e},{-40 * j - 25} '
                             f'{10 + e},{-40 * i + 5} {10 + e},{-40 * i}"/></g>')
    parts.append("</g></svg>")
    return "".join(parts)


@pytest.fixture
def real_layout():
    """Requested by tests that need the display layer's real draw() instead of fake_svg."""


@pytest.fixture(autouse=True)
def hand_made_layout(monkeypatch, request):
    """Record against a hand-made SVG unless a test asks for the real draw()."""
    if "real_layout" not in request.fixturenames:
        monkeypatch.setattr(anim, "_layout", lambda t, order, options: fake_svg(order))


X0 = [1.0, 2.0, 3.0]
V = [0.01, 0.4, 0.6]  # the seed notebook's gradient= vector


def seed_mean(lib):
    x = lib.tensor(X0, requires_grad=True)
    y = x + 2
    z = y * y * 2
    return x, z.mean(), None


def seed_fanout(lib):
    x = lib.tensor(X0, requires_grad=True)
    return x, (x * x).sum(), None


def seed_nonscalar(lib):
    x = lib.tensor(X0, requires_grad=True)
    y = x + 2
    return x, y * y * 2, lib.tensor(V)


def seed_add(lib):
    x = lib.tensor(X0, requires_grad=True)
    return x, x + 2, lib.ones(3)


SEEDS = [seed_mean, seed_fanout, seed_nonscalar, seed_add]


def engine_steps(out, gradient):
    """What backward() itself runs on this graph (retained, so the graph stays usable)."""
    return autograd.run_backward(out, gradient, retain_graph=True)


def torch_trace(seed):
    """PyTorch's execution: per node run, (name, gradient arriving, gradients sent), and x.grad."""
    torch = pytest.importorskip("torch")
    x, out, gradient = seed(torch)
    nodes, stack = [], [out.grad_fn]
    while stack:
        n = stack.pop()
        if n is not None and n not in nodes:
            nodes.append(n)
            stack.extend(f for f, _ in n.next_functions)
    log = []
    for n in nodes:
        def post(grad_inputs, grad_outputs, n=n):
            sent = [None if g is None or f is None else g.detach().numpy().copy()
                    for g, (f, _) in zip(grad_inputs, n.next_functions)]
            log.append((n.name(), grad_outputs[0].detach().numpy().copy(), sent))
        if n.name().endswith("AccumulateGrad"):
            n.register_prehook(lambda go, n=n: log.append((n.name(), go[0].detach().numpy().copy(), [])))
        else:
            n.register_hook(post)
    out.backward(gradient)
    return log, x.grad.numpy().copy()


# ------------------------------------------------------- recorded steps == backward()


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.__name__)
def test_steps_equal_engine_backward(seed):
    x, out, gradient = seed(gradviz)
    player = anim.animate(out, gradient)
    assert x.grad is None  # nothing stored by default
    reference = engine_steps(out, gradient)  # graph was not freed: backward still works
    got = player.steps
    assert [s.node for s in got] == [s.node for s in reference]
    assert [s.index for s in got] == list(range(len(reference)))
    for a, b in zip(got, reference):
        np.testing.assert_array_equal(a.grad_outputs, b.grad_outputs)
        assert len(a.grad_inputs) == len(b.grad_inputs)
        for ga, gb in zip(a.grad_inputs, b.grad_inputs):
            assert (ga is None) == (gb is None)
            if ga is not None:
                np.testing.assert_array_equal(ga, gb)
        for name in ("grad_before", "grad_after"):
            va, vb = getattr(a, name), getattr(b, name)
            assert (va is None) == (vb is None)
            if va is not None:
                np.testing.assert_array_equal(va, vb)
    np.testing.assert_array_equal(got[-1].grad_after, x.grad.detach().numpy())


@pytest.mark.torch
@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.__name__)
def test_steps_match_torch_execution(seed):
    log, torch_grad = torch_trace(seed)
    x, out, gradient = seed(gradviz)
    steps = anim.animate(out, gradient).steps
    assert [s.node.name() for s in steps] == [name for name, _, _ in log]
    for s, (_, arriving, sent) in zip(steps, log):
        np.testing.assert_allclose(s.grad_outputs, arriving, rtol=1e-6)
        for mine, theirs in zip(s.grad_inputs, sent):
            if theirs is not None:
                np.testing.assert_allclose(mine, theirs, rtol=1e-6)
    np.testing.assert_allclose(steps[-1].grad_after, torch_grad, rtol=1e-6)


def test_split_pieces_animate_through_their_one_node():
    # The shared SplitBackward0 runs once, after every piece's consumer, and the steps are backward()'s.
    x = gradviz.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], requires_grad=True)
    a, b, c = x.split(2)
    out = (a * 2).sum() + b.exp().sum() + c.sum()
    player = anim.animate(out)
    names = [s.node.name() for s in player.steps]
    assert names.count("SplitBackward0") == 1
    assert names.index("SplitBackward0") > max(names.index("MulBackward0"), names.index("ExpBackward0"))
    assert x.grad is None
    assert [s.node for s in player.steps] == [s.node for s in engine_steps(out, None)]  # stores x.grad
    np.testing.assert_allclose(player.steps[-1].grad_after, x.grad.numpy())


@pytest.mark.torch
def test_grad_before_after_on_second_pass_matches_torch():
    torch = pytest.importorskip("torch")
    tx, tout, _ = seed_fanout(torch)
    tout.backward(retain_graph=True)
    first = tx.grad.numpy().copy()
    tout.backward()
    second = tx.grad.numpy().copy()

    x, out, _ = seed_fanout(gradviz)
    out.backward(retain_graph=True)
    held = x.grad
    player = anim.animate(out)
    acc = [s for s in player.steps if s.grad_after is not None]
    assert len(acc) == 1
    np.testing.assert_allclose(acc[0].grad_before, first, rtol=1e-6)
    np.testing.assert_allclose(acc[0].grad_after, second, rtol=1e-6)
    assert x.grad is held  # untouched: same object, same values
    np.testing.assert_allclose(x.grad.numpy(), first, rtol=1e-6)


def test_accumulate_true_stores_like_backward():
    x, out, _ = seed_mean(gradviz)
    player = anim.animate(out, accumulate=True)
    np.testing.assert_array_equal(x.grad.numpy(), player.steps[-1].grad_after)
    with pytest.raises(RuntimeError, match=re.escape(SECOND_BACKWARD[:60])):
        out.backward()  # freed, as backward() without retain_graph frees

    x, out, _ = seed_mean(gradviz)
    anim.animate(out, accumulate=True, retain_graph=True)
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * player.steps[-1].grad_after)


def test_errors_are_backwards_own():
    x = gradviz.tensor(X0, requires_grad=True)
    with pytest.raises(RuntimeError) as mine:
        anim.animate(x * 2)
    with pytest.raises(RuntimeError) as ref:
        (x * 2).backward()
    assert str(mine.value) == str(ref.value)


# --------------------------------------------------------------------------- frames


def test_frames_follow_steps_and_map_onto_the_svg():
    x, out, _ = seed_fanout(gradviz)
    player = anim.animate(out, names={"x": x})
    steps, frames = player.steps, player.frames
    assert [f["kind"] for f in frames] == ["step"] * len(steps) + ["end"]
    order = gradviz.graph.backward_order([out.grad_fn])
    assert [f["node"] for f in frames[:-1]] == [order.index(s.node) for s in steps]
    mul = frames[1]
    assert mul["heading"].endswith("MulBackward0")
    # x * x: both edges carry a number, on two different SVG edges
    edges = [s["edge"] for s in mul["sends"]]
    assert len(edges) == 2 and len(set(edges)) == 2 and None not in edges
    acc = frames[2]
    assert acc["lines"][-1][0] == "x.grad"
    assert acc["lines"][-1][1].startswith("None\n\u2192 tensor([2., 4., 6.])")
    assert acc["note"]["text"] == ".grad [2., 4., 6.]"
    # The rule shown is the node's own formula.
    assert ["local rule", type(steps[1].node).formula] in mul["lines"]


def test_loop_form_shows_accumulation_then_zero():
    weights = gradviz.ones(3, requires_grad=True)
    player = anim.animate_loop(
        lambda: (weights + 3).sum(), n=3, zero_grad="end", names={"weights": weights})
    assert len(player.runs) == 3
    after = [s.grad_after for s in player.steps if s.grad_after is not None]
    before = [s.grad_before for s in player.steps if s.grad_after is not None]
    assert [a.tolist() for a in after] == [[1, 1, 1], [2, 2, 2], [3, 3, 3]]
    assert [None if b is None else b.tolist() for b in before] == [None, [1, 1, 1], [2, 2, 2]]
    notes = [f["note"]["text"] for f in player.frames if f["note"]]
    assert notes == [".grad [1., 1., 1.]", ".grad [2., 2., 2.]", ".grad [3., 3., 3.]", ".grad [0., 0., 0.]"]
    zero = player.frames[-1]
    assert zero["kind"] == "zero" and zero["heading"].endswith("weights.grad.zero_()")
    assert len(player.scenes) == 1  # the same graph three times: laid out once
    assert weights.grad is None  # restored: the lesson's own loop starts clean
    assert repr(player) == "BackwardPlayer(runs=3, steps=9)"


def test_loop_each_and_accumulate():
    weights = gradviz.ones(3, requires_grad=True)
    player = anim.animate_loop(
        lambda: (weights * 3).sum(), n=2, zero_grad="each", accumulate=True)
    notes = [f["note"]["text"] for f in player.frames if f["note"]]
    assert notes == [".grad [3., 3., 3.]", ".grad [0., 0., 0.]"] * 2
    assert weights.grad.tolist() == [0, 0, 0]  # kept, as the real loop leaves it


def test_loop_restores_existing_grad_in_place():
    w = gradviz.ones(2, requires_grad=True)
    (w * 5).sum().backward()
    held = w.grad
    anim.animate_loop(lambda: (w * 2).sum(), n=2, zero_grad="end")
    assert w.grad is held and w.grad.tolist() == [5, 5]


# ----------------------------------------------------------------- outputs & safety

HOSTILE = '</script><img src=x onerror="alert(1)">\u202e<b>&amp;'


def test_text_plain_deterministic_and_html_fallback_static():
    x, out, _ = seed_mean(gradviz)
    p1 = anim.animate(out, names={HOSTILE: x})
    p2 = anim.animate(out, names={HOSTILE: x})
    b1, b2 = p1._repr_mimebundle_()[0], p2._repr_mimebundle_()[0]
    assert b1["text/plain"] == b2["text/plain"] == "BackwardPlayer(steps=5)"
    assert "application/vnd.jupyter.widget-view+json" in b1
    fallback = b1["text/html"]
    assert fallback == b2["text/html"]
    assert "<script" not in fallback.lower() and "onerror" not in fallback
    assert re.search(r'<img src="data:image/svg\+xml;base64,', fallback)
    assert HOSTILE not in fallback and "\u202e" not in fallback


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_to_html_self_contained_and_escaped(tmp_path):
    x, out, _ = seed_mean(gradviz)
    player = anim.animate(out, names={HOSTILE: x})
    path = tmp_path / "anim.html"
    page = player.to_html(path)
    assert path.read_text(encoding="utf-8") == page
    assert HOSTILE not in page
    parser = _Tags()
    parser.feed(page)
    tags = parser.tags
    # Exactly our two scripts (the data block and the player), nothing loaded from elsewhere.
    assert [a.get("type") for t, a in tags if t == "script"] == ["application/json", "module"]
    assert page.lower().count("</script") == 2
    for tag, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for k in ("src", "href"):
            assert not attrs.get(k) or attrs[k].startswith("data:image/svg+xml;base64,"), (tag, attrs)
    assert {t for t, _ in tags} <= {"html", "head", "meta", "title", "style", "body", "div", "noscript", "img",
                                     "table", "tr", "td", "script"}
    assert "import(" not in page and "fetch(" not in page and "XMLHttpRequest" not in page
    data = re.search(r'<script type="application/json" id="gradviz-player-data">(.*?)</script>', page, re.S)[1]
    payload = json.loads(data)
    assert payload["frames"] == json.loads(json.dumps(player.frames))
    assert len(payload["frames"]) == len(player.steps) + 1
    # The hostile name survives as text (JSON-decoded), minus the bidi override.
    assert any(HOSTILE.replace("\u202e", "\ufffd") + ".grad" == line[0]
               for f in payload["frames"] for line in f["lines"])


def test_payload_has_no_closing_script_tag():
    x, out, _ = seed_mean(gradviz)
    player = anim.animate(out, names={"</script>": x})
    assert "</script" not in player._payload.lower() and "<" not in player._payload


def test_frames_are_small():
    x = gradviz.randn(300, 300, requires_grad=True)
    out = (x * x).sum()
    player = anim.animate(out)
    sizes = [len(json.dumps(f).encode()) for f in player.frames]
    assert max(sizes) < 200_000


# ------------------------------------------------------------- the real graph drawing


def test_real_layout_ids_cover_every_node(real_layout):
    draw = pytest.importorskip("gradviz.display").__dict__.get("draw")
    if draw is None:
        pytest.skip("gradviz.display.draw not available yet")
    from gradviz.display import render

    x, out, _ = seed_fanout(gradviz)
    try:
        player = anim.animate(out)
    except render.RenderError as exc:
        pytest.skip(f"no Graphviz renderer: {exc}")
    scene = player.scenes[0]
    order = gradviz.graph.backward_order([out.grad_fn])
    assert sorted(scene.nodes) == list(range(len(order)))
    assert all(s["edge"] for f in player.frames for s in f["sends"])
    # x * x: the two gradients travel on two different drawn edges
    assert len({s["edge"] for s in player.frames[1]["sends"]}) == 2

    # computation view: the op (ellipse) lights up with its result box
    comp = anim.animate(out, view="computation").scenes[0]
    ops = [i for i, n in enumerate(order) if not isinstance(n, gradviz.function.AccumulateGrad)]
    assert sorted(comp.ops) == ops and sorted(comp.nodes) == list(range(len(order)))
    assert all(len(comp.elements(i)) == 2 for i in ops)


# ----------------------------------------------------------- number text == the engine's


@pytest.mark.parametrize("opts", [{}, {"sci_mode": True}, {"precision": 2}, {"linewidth": 40},
                                  {"sci_mode": False, "precision": 6}])
def test_fast_gradient_text_equals_engine_repr(opts):
    """animate's batched path for small float32 vectors prints exactly what the tensor repr prints."""
    from gradviz._tensor_str import format_tensor, printoptions

    rng = np.random.default_rng(7)
    with printoptions(**opts):
        arrays = []
        for _ in range(1500):
            n = int(rng.integers(0, 70))
            v = rng.standard_normal(n) * 10.0 ** int(rng.integers(-9, 10))
            kind = int(rng.integers(0, 7))
            if kind == 1:
                v = np.round(v)
            elif kind == 2 and n:
                v[rng.integers(0, n)] = np.nan
            elif kind == 3 and n:
                v[rng.integers(0, n)] = -np.inf
            elif kind == 4:
                v = np.zeros(n) * (-1) ** int(rng.integers(0, 2))
            elif kind == 5 and n:
                v[rng.integers(0, n)] = 0.0
            x = v.astype(np.float32)
            if n and rng.integers(0, 5) == 0:
                x = x[:1].reshape(())
            assert anim._fmt(x) == format_tensor(x, None), x
            assert anim._fmt(x) == repr(gradviz.from_numpy(x.copy()))
            arrays.append(x)
        arrays += [np.ones((2, 3), np.float32), np.arange(5), np.linspace(0, 1, 100, dtype=np.float32)]
        # all at once, as a recording formats them: same texts as one by one
        assert anim._fmt_many(arrays) == [format_tensor(a, None) for a in arrays]


def test_without_a_renderer_the_captions_still_play(monkeypatch):
    from gradviz.display.render import RenderError

    def no_renderer(t, order, options):
        raise RenderError("no Graphviz here <b>")

    monkeypatch.setattr(anim, "_layout", no_renderer)
    x, out, _ = seed_mean(gradviz)
    player = anim.animate(out)
    assert len(player.frames) == len(player.steps) + 1
    assert player.scenes[0].error == "graph unavailable: no Graphviz here <b>"
    fallback = player._repr_mimebundle_()[0]["text/html"]
    assert "<img" not in fallback and "no Graphviz here &lt;b&gt;" in fallback
    assert "MeanBackward0" in player.to_html()
