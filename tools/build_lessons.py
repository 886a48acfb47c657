"""Build the lesson notebooks from their readable sources, run them, and store the outputs.

Usage (from the repository root)::

    GRADVIZ_RENDERER=wasm python tools/build_lessons.py            # all lessons
    GRADVIZ_RENDERER=wasm python tools/build_lessons.py 03 07      # lessons whose name starts so
    python tools/build_lessons.py --no-execute                     # cells only, no outputs
    python tools/build_lessons.py --check                          # notebooks == sources? (no kernel)

Each ``lessons/src/NN-name.py`` becomes ``lessons/NN-name.ipynb``. The source format is plain
Python, split into cells by marker lines::

    # %% [markdown]
    r'''
    # A heading
    Text in Markdown, math as $\\partial z / \\partial x$.
    '''

    # %% id=make-x doc=000:2 doc=002:1
    x = torch.rand(3)

    # %% display id=graph-of-y
    gradviz.draw(y)

Marker words after ``# %%``:

* ``[markdown]``: the cell body is one string literal, its value is the Markdown text.
* ``id=NAME``: the notebook cell id (stable, so the README table can point at it). Cells without
  one get ``<kind>-<position>``.
* ``doc=FILE:N``: this cell reproduces code cell ``In [N]`` of tutorial document ``FILE``
  (the three-digit prefix of its file name); repeatable. These feed the README mapping table.
* ``display``: a cell that only draws or animates (gradviz-only); tagged ``gradviz-display`` so
  the PyTorch comparison test can leave it out. ``--no-display`` builds without these cells.

* ``raises``: the cell fails on purpose (the error is the lesson). It is tagged ``raises-exception``:
  nbclient records the error and goes on, JupyterLab's Run All goes on, nbval compares the error
  (and the build fails if the cell does *not* raise). The tag, not a comment in the code, carries
  this, so students see only the code they would type.

Lines before the first marker are a header for the reader of the source and are not copied.
The build also rewrites the mapping table in ``lessons/README.md`` between the markers
``<!-- mapping:start -->`` and ``<!-- mapping:end -->``.
"""
from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
SOURCES = LESSONS / "src"
README = LESSONS / "README.md"

#: The five tutorial documents, by the prefix the ``doc=`` markers use.
DOCUMENTS = {
    "000": "000_a6ffee1aecc4e88e.txt",
    "001": "001_674c784f49e92554.txt",
    "002": "002_db329a2dac2616e4.txt",
    "003": "003_ca4930580723c852.txt",
    "004": "004_3d5dfff09b1f4dbc.txt",
}

DISPLAY_TAG = "gradviz-display"
MAP_START = "<!-- mapping:start -->"
MAP_END = "<!-- mapping:end -->"

_MARKER = re.compile(r"^# %%(?P<words>.*)$")
_CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DOC_REF = re.compile(r"^(?P<doc>\d{3}):(?P<n>\d+)$")


@dataclass
class Cell:
    kind: str  # "markdown" or "code"
    text: str
    cell_id: str = ""
    docs: list[tuple[str, int]] = field(default_factory=list)
    display: bool = False
    raises: bool = False
    line: int = 0  # where its marker is in the source, for error messages


class SourceError(ValueError):
    """A lesson source does not follow the cell-marker format."""


def _trim(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def parse_source(path: Path) -> list[Cell]:
    """Split one lesson source into cells (see the module docstring for the format)."""
    cells: list[Cell] = []
    current: Cell | None = None
    body: list[str] = []

    def close() -> None:
        if current is None:
            return
        text = _trim(body)
        if current.kind == "markdown":
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError) as exc:
                raise SourceError(f"{path.name}:{current.line}: a markdown cell must be one string literal") from exc
            if not isinstance(value, str):
                raise SourceError(f"{path.name}:{current.line}: a markdown cell must be one string literal")
            text = _trim(value.splitlines())
        if not text:
            raise SourceError(f"{path.name}:{current.line}: empty cell")
        current.text = text
        cells.append(current)

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = _MARKER.match(line)
        if not m:
            body.append(line)
            continue
        close()
        body = []
        current = Cell(kind="code", text="", line=number)
        for word in m["words"].split():
            if word == "[markdown]":
                current.kind = "markdown"
            elif word == "display":
                current.display = True
            elif word == "raises":
                current.raises = True
            elif word.startswith("id="):
                current.cell_id = word[3:]
                if not _CELL_ID.match(current.cell_id):
                    raise SourceError(f"{path.name}:{number}: bad cell id {current.cell_id!r}")
            elif word.startswith("doc="):
                ref = _DOC_REF.match(word[4:])
                if not ref or ref["doc"] not in DOCUMENTS:
                    raise SourceError(f"{path.name}:{number}: bad document reference {word!r}")
                current.docs.append((ref["doc"], int(ref["n"])))
            else:
                raise SourceError(f"{path.name}:{number}: unknown marker word {word!r}")
        if current.kind == "markdown" and (current.docs or current.display or current.raises):
            raise SourceError(f"{path.name}:{number}: doc=, display and raises belong on code cells")
    close()

    seen: set[str] = set()
    counts = {"markdown": 0, "code": 0}
    for cell in cells:
        counts[cell.kind] += 1
        if not cell.cell_id:
            cell.cell_id = f"{'md' if cell.kind == 'markdown' else 'code'}-{counts[cell.kind]}"
        if cell.cell_id in seen:
            raise SourceError(f"{path.name}: cell id {cell.cell_id!r} used twice")
        seen.add(cell.cell_id)
    return cells


def make_notebook(cells: list[Cell], *, with_display: bool = True):  # -> nbformat.NotebookNode
    """An unexecuted notebook (nbformat 4.5, stable cell ids) for the parsed cells."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for cell in cells:
        if cell.display and not with_display:
            continue
        if cell.kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.text, id=cell.cell_id))
            continue
        tags = []
        if cell.raises:
            tags.append("raises-exception")
        if cell.display:
            tags.append(DISPLAY_TAG)
        metadata = {"tags": tags} if tags else {}
        nb.cells.append(nbformat.v4.new_code_cell(cell.text, id=cell.cell_id, metadata=metadata))
    return nb


def execute(nb, name: str) -> None:
    """Run the notebook top to bottom in a fresh kernel, keeping outputs (and widget state)."""
    from nbclient import NotebookClient

    class _LikeNbval(NotebookClient):
        # nbval runs every cell with store_history=False. With history on, IPython's Out cache
        # keeps each displayed tensor alive, and gradviz.draw labels a node with its values
        # only while the node's output tensor is alive: the stored pictures would then differ
        # from what nbval sees. So the build runs cells exactly as nbval will.
        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history=False)

    client = _LikeNbval(
        nb,
        timeout=300,
        kernel_name="python3",
        record_timing=False,  # no timestamps: a rebuild changes only what really changed
        resources={"metadata": {"path": str(LESSONS)}},
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []) and not errors:
            raise RuntimeError(f"{name}: cell {cell.id} is marked to raise but did not")
        for err in errors:
            # Tracebacks name files by absolute path; keep them relative to the repository so
            # the committed notebook does not depend on where it was built.
            err.traceback = [line.replace(str(ROOT) + os.sep, "") for line in err.traceback]
    # The kernel fills in its exact Python version; keep only the language name so the
    # committed file does not change with the machine that built it.
    nb.metadata["language_info"] = {"name": "python"}


def mapping_rows(lessons: dict[str, list[Cell]]) -> list[tuple[str, int, str, int, str]]:
    """(document file, In number, notebook, code-cell position from 1, cell id), in document order."""
    rows = []
    for stem, cells in lessons.items():
        position = 0
        for cell in cells:
            if cell.kind != "code":
                continue
            position += 1
            for doc, n in cell.docs:
                rows.append((DOCUMENTS[doc], n, f"{stem}.ipynb", position, cell.cell_id))
    rows.sort(key=lambda r: (r[0], r[1]))
    dupes = {(r[0], r[1]) for r in rows if sum(1 for s in rows if s[:2] == r[:2]) > 1}
    if dupes:
        raise SourceError(f"document cells mapped twice: {sorted(dupes)}")
    return rows


def mapping_table(rows) -> str:
    out = [
        "| document | code cell | lesson notebook | lesson cell (code cell no., id) |",
        "|---|---|---|---|",
    ]
    for doc, n, notebook, position, cell_id in rows:
        out.append(f"| `{doc}` | `In [{n}]` | [{notebook}]({notebook}) | {position} (`{cell_id}`) |")
    return "\n".join(out)


def update_readme(rows) -> bool:
    text = README.read_text(encoding="utf-8")
    start, end = text.find(MAP_START), text.find(MAP_END)
    if start < 0 or end < start:
        raise SourceError(f"{README.name} lacks the {MAP_START} / {MAP_END} markers")
    new = text[: start + len(MAP_START)] + "\n" + mapping_table(rows) + "\n" + text[end:]
    if new != text:
        README.write_text(new, encoding="utf-8")
    return new != text


def load_all() -> dict[str, list[Cell]]:
    return {p.stem: parse_source(p) for p in sorted(SOURCES.glob("[0-9][0-9]-*.py"))}


def check(lessons: dict[str, list[Cell]]) -> list[str]:
    """Differences between the sources and the committed notebooks (cells and ids only)."""
    import nbformat

    problems = []
    for stem, cells in lessons.items():
        path = LESSONS / f"{stem}.ipynb"
        if not path.exists():
            problems.append(f"{path.name}: missing")
            continue
        stored = nbformat.read(path, as_version=4)
        want = make_notebook(cells)
        got_cells = [(c.cell_type, c.id, c.source) for c in stored.cells]
        want_cells = [(c.cell_type, c.id, c.source) for c in want.cells]
        if got_cells != want_cells:
            problems.append(f"{path.name}: cells differ from {SOURCES.name}/{stem}.py (rebuild it)")
        for c in stored.cells:
            if c.cell_type == "code" and c.execution_count is None:
                problems.append(f"{path.name}: cell {c.id} has no stored output (rebuild with execution)")
                break
    if README.exists():
        text = README.read_text(encoding="utf-8")
        if mapping_table(mapping_rows(lessons)) not in text:
            problems.append(f"{README.name}: mapping table out of date (rebuild)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="build only lessons whose name starts with one of these")
    parser.add_argument("--no-execute", action="store_true", help="write cells without running them")
    parser.add_argument("--no-display", action="store_true", help="leave out draw/animate cells")
    parser.add_argument("--check", action="store_true", help="compare notebooks with sources; build nothing")
    args = parser.parse_args(argv)

    lessons = load_all()
    if args.check:
        problems = check(lessons)
        for p in problems:
            print(p)
        return 1 if problems else 0

    if not args.no_execute and os.environ.get("GRADVIZ_RENDERER") != "wasm":
        # The stored SVG is compared byte for byte by nbval: it must come from the pinned renderer.
        os.environ["GRADVIZ_RENDERER"] = "wasm"
        print("build_lessons: GRADVIZ_RENDERER=wasm (the pinned renderer)")

    import nbformat

    for stem, cells in lessons.items():
        if args.only and not any(stem.startswith(o) for o in args.only):
            continue
        nb = make_notebook(cells, with_display=not args.no_display)
        if not args.no_execute:
            print(f"build_lessons: running {stem} ...", flush=True)
            execute(nb, stem)
        nbformat.validate(nb)
        nbformat.write(nb, LESSONS / f"{stem}.ipynb")
        print(f"build_lessons: wrote lessons/{stem}.ipynb")
    if update_readme(mapping_rows(lessons)):
        print("build_lessons: updated the mapping table in lessons/README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
