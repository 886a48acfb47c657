"""Run the documents' cells notebook-style under a given library; record what each cell shows.

Run as a script with the reference installed to (re)record the golden outputs:
    python tests/seed_runner.py --record
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import sys
import warnings
from pathlib import Path

from seed_cells import DOCS

GOLDEN = Path(__file__).parent / "golden" / "seed_outputs.json"
_ADDR = re.compile(r"0x[0-9a-f]+")


def _display(value: object) -> str:
    from IPython.lib.pretty import pretty  # what a notebook shows for the cell's last expression

    return pretty(value)


def run_document(cells: list[tuple[int, str]], module: str) -> dict[str, str]:
    """Execute cells in one namespace; return {cell number: stdout + displayed value or error}."""
    ns: dict[str, object] = {}
    out: dict[str, str] = {}
    lib = __import__(module)
    lib.manual_seed(0)
    for number, code in cells:
        src = re.sub(r"^(\s*)import torch\s*$", rf"\1import {module} as torch", code, flags=re.M)
        tree = ast.parse(src)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(tree, f"<cell {number}>", "exec"), ns)
                if last is not None:
                    value = eval(compile(ast.Expression(last.value), f"<cell {number}>", "eval"), ns)
                    if value is not None:
                        print(_display(value))
            except Exception as e:  # noqa: BLE001 - a cell's error is its output
                print(f"{type(e).__name__}: {e}")
        out[str(number)] = _ADDR.sub("0xADDR", buf.getvalue())
    return out


def run_all(module: str) -> dict[str, dict[str, str]]:
    return {doc: run_document(cells, module) for doc, cells in DOCS.items()}


if __name__ == "__main__":
    if "--record" in sys.argv:
        import torch

        GOLDEN.write_text(json.dumps({"torch": torch.__version__, "outputs": run_all("torch")},
                                     indent=1, ensure_ascii=False) + "\n")
        print("recorded", GOLDEN)
