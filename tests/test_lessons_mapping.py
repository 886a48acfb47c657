"""The lessons reproduce every code cell of the five tutorial documents, and print what PyTorch prints.

* ``lessons/README.md`` has a table mapping each document code cell (file + ``In [n]``) to a lesson
  cell; every cell in ``DOC_CELLS`` below must have a row, and the mapped lesson cell must contain
  the document's code (adapted only by ``import gradviz as torch`` and ``torch.manual_seed``;
  whitespace, comments and string-literal prose are ignored).
* The committed notebooks match their sources in ``lessons/src`` and carry outputs.
* The only stored errors are the two classic ones, in cells tagged ``raises-exception`` (and no
  cell carries nbval's comment marker as well, which would make nbval warn about overlapping options).
* Where PyTorch is installed: every lesson's code cells run with ``import torch`` instead of
  gradviz print the same text (stdout, displayed value, error) as the gradviz run and as the
  outputs stored in the notebook.

``DOC_CELLS`` was generated once from the documents (they are not in the repository): for each
code cell, its file, its ``In`` number, the first 12 hex digits of the SHA-256 of the cell's code
as exported, and the cell's statements after ``normalise`` (which drops comments and prose).
"""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import re
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
README = LESSONS / "README.md"

CLASSIC_ERRORS = (
    "element 0 of tensors does not require grad and does not have a grad_fn",
    "grad can be implicitly created only for scalar outputs",
)
DISPLAY_TAG = "gradviz-display"
_ADDR = re.compile(r"0x[0-9a-fA-F]+")


# --------------------------------------------------------------------------- normalising code

class _DropProse(ast.NodeTransformer):
    """Remove bare string statements (docstring-style prose) at every level."""

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        if isinstance(node, ast.Module):
            return node  # top-level prose is dropped by normalise(), which keeps the list flat
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                kept = [s for s in block if not _is_prose(s)]
                setattr(node, name, kept or [ast.Pass()])
        return node


def _is_prose(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_seeding(stmt: ast.stmt) -> bool:
    call = stmt.value if isinstance(stmt, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "manual_seed"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "torch"
    )


def normalise(code: str) -> list[str]:
    """A cell's top-level statements, canonically formatted, without comments, prose or seeding.

    ``import gradviz as torch`` counts as ``import torch``: that and ``torch.manual_seed(...)`` are
    the two adaptations a lesson may make to a document's code.
    """
    tree = _DropProse().visit(ast.parse(code))
    out = []
    for stmt in tree.body:
        if _is_prose(stmt) or _is_seeding(stmt):
            continue
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "gradviz" and alias.asname == "torch":
                    alias.name, alias.asname = "torch", None
        out.append(ast.unparse(stmt))
    return out


def contains(lesson: list[str], doc: list[str]) -> bool:
    """``doc`` appears in ``lesson`` as one unbroken run of statements."""
    if not doc:
        return True
    return any(lesson[i : i + len(doc)] == doc for i in range(len(lesson) - len(doc) + 1))


# --------------------------------------------------------------------------- the documents' cells

# (document file, In number, sha256[:12] of the exported cell code, normalised statements).
# Generated once from the five documents with normalise() above.
DOC_CELLS: list[tuple[str, int, str, list[str]]] = [
    ('000_a6ffee1aecc4e88e.txt', 1, 'cf1070d3a16f', ['import torch']),
    ('000_a6ffee1aecc4e88e.txt', 2, '07cbbf9e5057', ['x = torch.rand(3)', 'x']),
    ('000_a6ffee1aecc4e88e.txt', 3, '2a0e4900e27a', ['x = torch.rand(3, requires_grad=True)', 'x']),
    ('000_a6ffee1aecc4e88e.txt', 4, '8ad7afd81a6b', ['y = x + 2', 'y']),
    ('000_a6ffee1aecc4e88e.txt', 5, '6b60fcb4b44f', ['z = y * y * 2', 'z']),
    ('000_a6ffee1aecc4e88e.txt', 6, 'dcbdb14379e8', ['z = z.mean()', 'z']),
    ('000_a6ffee1aecc4e88e.txt', 7, '288b14c19b1b', ['z.backward()']),
    ('000_a6ffee1aecc4e88e.txt', 8, '908c470b79d2', ['x.grad']),
    ('000_a6ffee1aecc4e88e.txt', 9, '00dcc6b0c69f', ['x = torch.rand(3, requires_grad=True)', 'y = x + 2', 'z = y * y * 2']),
    ('000_a6ffee1aecc4e88e.txt', 10, '0a261cbba492', ['v = torch.tensor([0.01, 0.4, 0.6])']),
    ('000_a6ffee1aecc4e88e.txt', 11, '5a01871f2ede', ['z.backward(v)']),
    ('000_a6ffee1aecc4e88e.txt', 12, '908c470b79d2', ['x.grad']),
    ('000_a6ffee1aecc4e88e.txt', 13, 'b4c000d7c1fd', ['x = torch.rand(3, requires_grad=True)', 'print(x)', 'x.requires_grad_(False)', 'print(x)']),
    ('000_a6ffee1aecc4e88e.txt', 14, 'a6181fb08ff0', ['x = torch.rand(3, requires_grad=True)', 'print(x)', 'y = x.detach()', 'print(y)']),
    ('000_a6ffee1aecc4e88e.txt', 15, '54675b189e8e', ['x = torch.rand(3, requires_grad=True)', 'print(x)', 'with torch.no_grad():\n    y = x + 2\n    print(y)']),
    ('000_a6ffee1aecc4e88e.txt', 16, '3fcdbdb74844', ['weights = torch.ones(3, requires_grad=True)', 'for epoch in range(3):\n    model_output = (weights + 3).sum()\n    model_output.backward()\n    print(weights.grad)']),
    ('000_a6ffee1aecc4e88e.txt', 17, 'a95e12a49524', ['weights = torch.ones(3, requires_grad=True)', 'for epoch in range(3):\n    model_output = (weights + 3).sum()\n    model_output.backward()\n    print(weights.grad)\n    weights.grad.zero_()']),
    ('001_674c784f49e92554.txt', 1, '4670068cb2bb', ['import torch', 'x = torch.ones(2, 2, requires_grad=True)', 'x']),
    ('001_674c784f49e92554.txt', 2, 'bc09d3091a1e', ['y = x + 2', 'y']),
    ('001_674c784f49e92554.txt', 3, 'e2e3794ebd19', ['y.grad_fn']),
    ('001_674c784f49e92554.txt', 4, '5b4f7f894e7c', ['z = y * y * y * 3', 'out = z.mean()', 'print(z, out)']),
    ('001_674c784f49e92554.txt', 5, '735907e2f9f3', ['z.grad_fn']),
    ('001_674c784f49e92554.txt', 6, '6621345dab6b', ['out.grad_fn']),
    ('001_674c784f49e92554.txt', 7, '465a7b3eb2da', ['a = torch.randn(3, 3)', 'a = a / 2 / (a * 3)', 'a']),
    ('001_674c784f49e92554.txt', 8, 'ea8789667387', ['a.requires_grad']),
    ('001_674c784f49e92554.txt', 9, '1d36c7f368ef', ['a.requires_grad_(True)']),
    ('001_674c784f49e92554.txt', 10, 'ea8789667387', ['a.requires_grad']),
    ('001_674c784f49e92554.txt', 11, 'b1aec0a093a6', ['b = (a * a).sum()', 'b.grad_fn']),
    ('001_674c784f49e92554.txt', 12, '28cc54163bfa', ['out.backward()']),
    ('001_674c784f49e92554.txt', 13, 'cf593faa17bd', ['x.grad']),
    ('001_674c784f49e92554.txt', 14, '1accba21938c', ['x = torch.randn(3, requires_grad=True)', 'x']),
    ('001_674c784f49e92554.txt', 15, '076090383461', ['y = x * 2', 'y']),
    ('001_674c784f49e92554.txt', 16, 'c98e2afd72d8', ['y.data']),
    ('001_674c784f49e92554.txt', 17, '11121fd405f4', ['y.data.norm()']),
    ('001_674c784f49e92554.txt', 18, '42cfb6d00a8f', ['while y.data.norm() < 1000:\n    y = y * 2', 'y']),
    ('001_674c784f49e92554.txt', 19, 'e2e3794ebd19', ['y.grad_fn']),
    ('001_674c784f49e92554.txt', 20, '4498fb84f4cf', ['gradients = torch.tensor([0.1, 1.0, 0.001], dtype=torch.float)', 'y.backward(gradients)', 'x.grad']),
    ('001_674c784f49e92554.txt', 21, '23cf3561f8a6', ['x.requires_grad']),
    ('001_674c784f49e92554.txt', 22, '1b176db4f044', ['(x ** 2).requires_grad']),
    ('001_674c784f49e92554.txt', 23, 'f9531a7e5161', ['with torch.no_grad():\n    print((x / 2).requires_grad)']),
    ('002_db329a2dac2616e4.txt', 1, '9c1d6b8941e9', ['import torch']),
    ('002_db329a2dac2616e4.txt', 2, 'c19368c912fb', ['a = torch.tensor([2.0, 3.0], requires_grad=True)', 'print(a)']),
    ('002_db329a2dac2616e4.txt', 3, '132ba4c8a8d9', ['b = torch.tensor([6.0, 4.0], requires_grad=True)', 'print(b)']),
    ('002_db329a2dac2616e4.txt', 4, 'df3f71f27673', ['Q = 3 * a ** 3 - b ** 2', 'print(Q)']),
    ('002_db329a2dac2616e4.txt', 5, '86b332c47cd0', ['external_grad = torch.tensor([1.0, 1.0])', 'Q.backward(gradient=external_grad)']),
    ('002_db329a2dac2616e4.txt', 6, '72c492ec30aa', ['print(a.grad)', 'print(b.grad)', 'print(9 * a ** 2 == a.grad)', 'print(-2 * b == b.grad)']),
    ('002_db329a2dac2616e4.txt', 7, '201e2da5adab', ['shape = (3, 1)', 'x = torch.randn(shape, requires_grad=True)', 'print(x)']),
    ('002_db329a2dac2616e4.txt', 8, '86d1815320e3', ['y = x + 1', 'print(y)', 'print(y.requires_grad)', 'print(y.grad_fn)']),
    ('002_db329a2dac2616e4.txt', 9, '01ead3d2c6ad', ['z = y ** 2 + 3', 'print(z)', 'print(z.requires_grad)', 'print(z.grad_fn)', 'print(z.grad_fn.next_functions)', 'print(z.grad_fn.next_functions[0][0].next_functions)']),
    ('002_db329a2dac2616e4.txt', 10, 'f03b3c4e2ad4', ['x = torch.rand(5, 5)', 'y = torch.rand(5, 5)', 'z = torch.rand((5, 5), requires_grad=True)', 'a = x + y', "print(f'Does `a` require gradients? : {a.requires_grad}')", 'b = x + z', "print(f'Does `b` require gradients?: {b.requires_grad}')"]),
    ('002_db329a2dac2616e4.txt', 11, '60c72c1253d9', []),
    ('002_db329a2dac2616e4.txt', 12, 'ca8d59dc4349', ['with torch.no_grad():\n    c = x + z', 'print(c.requires_grad)']),
    ('002_db329a2dac2616e4.txt', 13, '6481517f6f96', []),
    ('002_db329a2dac2616e4.txt', 14, 'fef4a5348591', ['d = x + z', 'd_detached = d.detach()', 'print(d_detached.requires_grad)']),
    ('002_db329a2dac2616e4.txt', 15, 'f68b4b397820', ['sample_size = 2', 'number_features = 3', 'x = torch.arange(sample_size * number_features).reshape(sample_size, number_features) * 1.0', 'print(x)', 'target = torch.arange(2, sample_size + 2).reshape(sample_size, 1) * 1.0', 'print(target)']),
    ('002_db329a2dac2616e4.txt', 16, '3e5aebb083b8', ['w = torch.ones((3, 1), requires_grad=True)', 'print(w)', 'print(w.grad)']),
    ('002_db329a2dac2616e4.txt', 17, '51d9276a8714', ['output = x.matmul(w)', 'print(output)', 'print(output.grad_fn)']),
    ('002_db329a2dac2616e4.txt', 18, 'dbd633c509a9', ['loss = ((output - target) ** 2).mean()', 'print(loss)']),
    ('002_db329a2dac2616e4.txt', 19, '227fe80da08b', ['loss.backward()']),
    ('002_db329a2dac2616e4.txt', 20, '1c8dc500b8e8', ['print(w.grad)']),
    ('002_db329a2dac2616e4.txt', 21, '76d6a32f3554', ['def update_parameter(w, learning_rate=0.1):\n    with torch.no_grad():\n        w.add_(w.grad, alpha=-1 * learning_rate)']),
    ('002_db329a2dac2616e4.txt', 22, '22fe168285be', ['update_parameter(w, 0.01)']),
    ('002_db329a2dac2616e4.txt', 23, '300073542ca2', ['print(w)']),
    ('002_db329a2dac2616e4.txt', 24, '9eb8fa8c9ad8', []),
    ('002_db329a2dac2616e4.txt', 25, 'eccc5e5afd1d', ['a = torch.tensor([2.0, 3.0], requires_grad=True)', 'b = torch.tensor([6.0, 4.0], requires_grad=True)', 'Q = 3 * a ** 3 - b ** 2', 'print(Q)']),
    ('002_db329a2dac2616e4.txt', 26, '43ac95ea2c78', ['external_grad = torch.tensor([1.0, 1.0])', 'Q.backward(gradient=external_grad)', 'print(a.grad)']),
    ('002_db329a2dac2616e4.txt', 27, '57d76775f954', ['a.grad.zero_()']),
    ('002_db329a2dac2616e4.txt', 29, '7a3a1386f12b', []),
    ('003_ca4930580723c852.txt', 52, '1d723befdd05', ['import torch']),
    ('003_ca4930580723c852.txt', 53, '091cae88d0b6', ['x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)', 'print(x)']),
    ('003_ca4930580723c852.txt', 54, 'c7e853b3b741', ['y = x + 2', 'print(y)']),
    ('003_ca4930580723c852.txt', 55, '92db5352fc6a', ['z = y * y * 2', 'print(z)']),
    ('003_ca4930580723c852.txt', 56, '71c96084aacf', ['z = z.mean()', 'print(z)']),
    ('003_ca4930580723c852.txt', 57, '730894bdcfab', ['z.backward()', 'print(x.grad)']),
    ('003_ca4930580723c852.txt', 59, 'cf01a829e0c8', ['x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)', 'y = x + 2', 'z = y * y * 2']),
    ('003_ca4930580723c852.txt', 60, '37887607f2d2', ['v = torch.tensor([1.0, 1.5, 1.5], dtype=torch.float32)', 'z.backward(v)', 'print(x.grad)']),
    ('003_ca4930580723c852.txt', 62, 'f73caceaad6e', ['x = torch.randn(3, requires_grad=True)', 'print(x)', 'x.requires_grad_(False)', 'print(x)']),
    ('003_ca4930580723c852.txt', 70, '4051613822b4', ['x = torch.randn(3, requires_grad=True)', 'print(x)', 'y = x.detach()', 'print(y)']),
    ('003_ca4930580723c852.txt', 71, 'd43bbf9196a3', ['x = torch.randn(3, requires_grad=True)', 'print(x)', 'y = x + 2', 'print(y)']),
    ('003_ca4930580723c852.txt', 68, '8495d400d7a8', ['x = torch.randn(3, requires_grad=True)', 'print(x)', 'with torch.no_grad():\n    y = x + 2\n    print(y)']),
    ('003_ca4930580723c852.txt', 100, 'bcbbe57c8be3', ['weights = torch.ones(4, requires_grad=True)', 'for epoch in range(3):\n    model_output = (weights * 3).sum()\n    model_output.backward()\n    print(weights.grad)\n    weights.grad.zero_()']),
    ('003_ca4930580723c852.txt', 107, 'ca05bd3698a0', ['weights = torch.ones(4, requires_grad=True)', 'optimizer = torch.optim.SGD([weights], lr=0.01)', 'optimizer.step()', 'optimizer.zero_grad()']),
    ('004_3d5dfff09b1f4dbc.txt', 68, '53e16e7648c5', ['import torch', 'x = torch.randn(3, requires_grad=True)', 'print(x)']),
    ('004_3d5dfff09b1f4dbc.txt', 69, '6e70c46bd903', ['y = x + 2', 'print(y)']),
    ('004_3d5dfff09b1f4dbc.txt', 70, '689925e2011e', ['z = y * y * 2', 'print(z)']),
    ('004_3d5dfff09b1f4dbc.txt', 71, 'de81804c4c12', ['z = z.mean()', 'print(z)']),
    ('004_3d5dfff09b1f4dbc.txt', 72, 'b2ade7247e27', ['z.backward()', 'print(x)', 'print(x.grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 73, 'c6fd16cd4bbb', ['x = torch.randn(3, requires_grad=False)', 'y = x + 2', 'z = y * y * 2', 'z = z.mean()', 'z.backward()', 'print(x.grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 75, 'eba45b19e71b', ['x = torch.randn(3, requires_grad=True)', 'y = x + 2', 'z = y * y * 2', 'print(z)', 'v = torch.tensor([0.1, 1.0, 0.001], dtype=torch.float32)', 'z.backward()']),
    ('004_3d5dfff09b1f4dbc.txt', 76, 'a4dfa546bb31', ['v = torch.tensor([0.1, 1.0, 0.001], dtype=torch.float32)', 'z.backward(v)', 'print(x.grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 77, '33f287dc24b8', []),
    ('004_3d5dfff09b1f4dbc.txt', 78, '01584f32378e', ['x = torch.randn(3, requires_grad=True)', 'print(x.requires_grad)', 'y = x.detach()', 'print(y.requires_grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 79, 'fcf702d6236f', ['x = torch.randn(3, requires_grad=True)', 'print(x.requires_grad)', 'x.requires_grad_(False)', 'print(x.requires_grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 80, '3585b5ffcd4c', ['x = torch.randn(3, requires_grad=True)', 'print(x.requires_grad)', 'with torch.no_grad():\n    y = x + 2\n    print(y.requires_grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 81, '66b3a6f394d7', ['import torch', 'weights = torch.ones(4, requires_grad=True)', 'for epoch in range(1):\n    model_output = (weights * 3).sum()\n    model_output.backward()\n    print(weights.grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 82, '9f0415d1f3b6', ['import torch', 'weights = torch.ones(4, requires_grad=True)', 'for epoch in range(2):\n    model_output = (weights * 3).sum()\n    model_output.backward()\n    print(weights.grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 83, 'd6c8ad6842cb', ['import torch', 'weights = torch.ones(4, requires_grad=True)', 'for epoch in range(3):\n    model_output = (weights * 3).sum()\n    model_output.backward()\n    print(weights.grad)']),
    ('004_3d5dfff09b1f4dbc.txt', 84, 'd3a0f0c31b8d', ['import torch', 'weights = torch.ones(4, requires_grad=True)', 'for epoch in range(3):\n    model_output = (weights * 3).sum()\n    model_output.backward()\n    print(weights.grad)\n    weights.grad.zero_()']),
]


# --------------------------------------------------------------------------- reading the lessons

def _nbformat():
    return pytest.importorskip("nbformat")


def notebooks() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]-*.ipynb"))


_ROW = re.compile(
    r"^\|\s*`(?P<doc>[^`]+)`\s*\|\s*`In \[(?P<n>\d+)\]`\s*\|\s*\[(?P<nb>[^\]]+)\]\([^)]*\)\s*\|"
    r"\s*(?P<pos>\d+)\s*\(`(?P<id>[^`]+)`\)\s*\|\s*$"
)


def mapping_table() -> list[tuple[str, int, str, int, str]]:
    """Rows of the README table: (document, In number, notebook, code-cell position, cell id)."""
    rows = []
    for line in README.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            rows.append((m["doc"], int(m["n"]), m["nb"], int(m["pos"]), m["id"]))
    return rows


def code_cells(path: Path):
    nb = _nbformat().read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


# --------------------------------------------------------------------------- mapping tests

def test_doc_cells_list_is_complete_and_unique():
    keys = [(doc, n) for doc, n, _, _ in DOC_CELLS]
    assert len(keys) == len(set(keys))
    # Five documents; counts as exported (cell numbers are the documents' own).
    counts = {}
    for doc, _ in keys:
        counts[doc[:3]] = counts.get(doc[:3], 0) + 1
    assert counts == {"000": 17, "001": 23, "002": 28, "003": 14, "004": 16}


def test_every_document_cell_has_a_lesson_cell():
    rows = mapping_table()
    mapped = [(doc, n) for doc, n, *_ in rows]
    assert len(mapped) == len(set(mapped)), "a document cell is mapped twice"
    wanted = {(doc, n) for doc, n, _, _ in DOC_CELLS}
    missing = sorted(wanted - set(mapped))
    unknown = sorted(set(mapped) - wanted)
    assert not missing, f"document cells without a lesson cell in lessons/README.md: {missing}"
    assert not unknown, f"table rows for cells the documents do not have: {unknown}"


@pytest.mark.parametrize("doc,n,digest,statements", DOC_CELLS, ids=[f"{d[:3]}-In{n}" for d, n, _, _ in DOC_CELLS])
def test_mapped_lesson_cell_runs_the_document_code(doc, n, digest, statements):
    rows = {(r[0], r[1]): r for r in mapping_table()}
    assert (doc, n) in rows, f"{doc} In [{n}] is not in the mapping table"
    _, _, notebook, position, cell_id = rows[(doc, n)]
    path = LESSONS / notebook
    assert path.exists(), f"{notebook} does not exist"
    cells = code_cells(path)
    by_id = {c.id: (i, c) for i, c in enumerate(cells, start=1)}
    assert cell_id in by_id, f"{notebook} has no code cell with id {cell_id!r}"
    index, cell = by_id[cell_id]
    assert index == position, f"{notebook}: cell {cell_id!r} is code cell {index}, the table says {position}"
    lesson = normalise(cell.source)
    assert contains(lesson, statements), (
        f"{notebook} cell {cell_id!r} does not contain the code of {doc} In [{n}]:\n"
        + "\n".join(statements) + "\n--- lesson cell ---\n" + "\n".join(lesson)
    )


def test_normalise_accepts_only_the_allowed_adaptations():
    doc = normalise("import torch\n# a comment\nx = torch.rand(3,  requires_grad = True)\nx")
    assert contains(normalise("import gradviz as torch\ntorch.manual_seed(0)\nx = torch.rand(3, requires_grad=True)\nx"), doc)
    assert not contains(normalise("import gradviz as torch\nx = torch.rand(4, requires_grad=True)\nx"), doc)
    assert not contains(normalise("import numpy as torch\nx = torch.rand(3, requires_grad=True)\nx"), doc)
    assert not contains(normalise("import gradviz as torch\nx = torch.rand(3, requires_grad=True)\ny = 1\nx"), doc)


# --------------------------------------------------------------------------- notebook hygiene

def _builder():
    name = "_gradviz_build_lessons"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "build_lessons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_notebooks_match_their_sources_and_carry_outputs():
    _nbformat()
    builder = _builder()
    lessons = builder.load_all()
    assert lessons, "no lesson sources"
    assert [f"{stem}.ipynb" for stem in lessons] == [p.name for p in notebooks()]
    assert "01-tensors-and-requires-grad" in lessons  # the Binder badge opens this one
    assert builder.check(lessons) == []


def test_only_the_two_classic_errors_are_stored():
    seen = []
    for path in notebooks():
        for cell in code_cells(path):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert "NBVAL_" not in cell.source, f"{path.name} {cell.id}: nbval comment marker in the code"
            marked = "raises-exception" in cell.metadata.get("tags", [])
            if marked:
                assert len(errors) == 1, f"{path.name} {cell.id}: marked to raise but stores no error"
                assert errors[0].ename == "RuntimeError"
                seen.append(errors[0].evalue)
            else:
                assert not errors, f"{path.name} {cell.id}: unexpected error {errors[0].evalue}"
            streams = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
            assert not streams, f"{path.name} {cell.id}: stderr output {streams[0].text!r}"
    assert sorted(seen) == sorted(CLASSIC_ERRORS)


# --------------------------------------------------------------------------- same text as PyTorch

def _run_cells(sources: list[str], module: str) -> list[str]:
    """Run cells notebook-style in one namespace; what each shows: stdout, displayed value, error."""
    from IPython.lib.pretty import pretty  # the formatter behind a notebook's text/plain

    ns: dict[str, object] = {"__name__": "__main__"}
    shown = []
    for number, source in enumerate(sources):
        if module != "gradviz":
            source = re.sub(r"^(\s*)import gradviz as torch\s*$", rf"\1import {module} as torch", source, flags=re.M)
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning would be stderr in the notebook: none allowed
            try:
                exec(compile(tree, f"<cell {number}>", "exec"), ns)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), f"<cell {number}>", "eval"), ns)
                    if value is not None:
                        print(pretty(value))
            except Exception as error:  # noqa: BLE001 - a cell's error is part of what it shows
                print(f"{type(error).__name__}: {error}")
        shown.append(_ADDR.sub("0xADDR", buf.getvalue()))
    return shown


def _stored(cell) -> str:
    text = []
    for out in cell.outputs:
        if out.output_type == "stream" and out.name == "stdout":
            text.append(out.text)
        elif out.output_type == "execute_result":
            text.append(out.data.get("text/plain", "") + "\n")
        elif out.output_type == "error":
            text.append(f"{out.ename}: {out.evalue}\n")
    return _ADDR.sub("0xADDR", "".join(text))


@pytest.mark.torch
@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.stem[:2])
def test_lesson_prints_what_pytorch_prints(path):
    pytest.importorskip("torch")
    pytest.importorskip("IPython")
    cells = [c for c in code_cells(path) if DISPLAY_TAG not in c.metadata.get("tags", [])]
    sources = [c.source for c in cells]
    with_torch = _run_cells(sources, "torch")
    with_gradviz = _run_cells(sources, "gradviz")
    for cell, t, g in zip(cells, with_torch, with_gradviz):
        assert g == t, f"{path.name} cell {cell.id!r}: gradviz and PyTorch differ"
        assert _stored(cell) == t, f"{path.name} cell {cell.id!r}: the stored output is not what PyTorch prints"
