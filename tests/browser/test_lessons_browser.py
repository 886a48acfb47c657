"""Every lesson, opened in JupyterLab in a real browser, runs clean and shows its pictures.

One JupyterLab server for the whole session; one page (and kernel) per notebook. Each
notebook: open, Run All (as a student clicks it), then check
  * no unexpected error output (cells tagged ``raises-exception`` may error),
  * every cell Run All should reach was executed,
  * ``check_draw_outputs``: each ``draw(...)`` cell shows an SVG with Graphviz nodes, with
    the node count the lesson declares,
  * ``check_animations``: each animation player answers to step and play,
and a full-length screenshot per notebook goes to ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LESSONS = HERE.parents[1] / "lessons"
OWN_NOTEBOOKS = HERE / "notebooks"

LESSON_NOTEBOOKS = sorted(p for p in LESSONS.glob("*.ipynb"))
# The harness's own notebook: proves the infrastructure even while lessons/ is empty.
SMOKE = OWN_NOTEBOOKS / "smoke.ipynb"

NOTEBOOKS = [pytest.param(p, id=f"lessons/{p.name}") for p in LESSON_NOTEBOOKS] + [
    pytest.param(SMOKE, id="tests/browser/notebooks/smoke.ipynb")
]


# --------------------------------------------------------------------------- hooks
# Lesson and animation authors extend these two. Expectations live in the notebook
# itself, in the cell's metadata, so they move with the cell:
#
#   "metadata": {"gradviz": {"nodes": 5}}          one draw output with 5 Graphviz nodes
#   "metadata": {"gradviz": {"nodes": [5, 7]}}     two SVG outputs in that cell
#   "metadata": {"gradviz": {"animation": true}}   the cell shows a backward player
#
# Counts are Graphviz nodes of the graph, the legend's entries (DOT names L0, L1, ...) not
# counted. They must come from the graph PyTorch builds for the same code (count its
# grad_fn nodes + tensors as drawn), not from gradviz's own output.

DRAW_CALL = re.compile(r"\b(?:gv|gradviz|torch)\.draw\(|^\s*draw\(", re.MULTILINE)
ANIMATE_CALL = re.compile(r"\b(?:gv|gradviz|torch)\.animate\(|^\s*animate\(", re.MULTILINE)

# The player's DOM, as written in gradviz/display/player.js. Keep in step with it.
PLAYER = ".gradviz-player"
PLAYER_BUTTON = 'button[data-action="{action}"]'  # looked up inside the player
PLAYER_CURRENT = "g.node.gv-current"
PLAYER_CAPTION = ".gv-caption"
PLAYER_COUNTER = ".gv-counter"


def check_draw_outputs(summary, nb_path: Path) -> list[str]:
    """Problems with the graph pictures of one notebook (empty list = fine)."""
    problems = []
    for cell in summary.code_cells:
        if cell.may_raise:
            continue
        counts = [n for o in cell.outputs for n in o.svg_node_counts]
        drawn = [n for n in counts if n > 0]
        meta = cell.metadata.get("gradviz", {})
        if DRAW_CALL.search(cell.source) and not drawn and "nodes" not in meta:
            problems.append(f"cell {cell.index} calls draw() but shows no SVG with graph nodes: {counts}")
        if "nodes" in meta:
            want = meta["nodes"] if isinstance(meta["nodes"], list) else [meta["nodes"]]
            if drawn != want:
                problems.append(f"cell {cell.index}: SVG node counts {drawn}, lesson declares {want}")
    return problems


def _player_state(player) -> dict:
    return player.evaluate(
        """(root, sel) => ({
            current: [...root.querySelectorAll(sel.current)].map(g => g.id).join(','),
            caption: root.querySelector(sel.caption)?.textContent || '',
            counter: root.querySelector(sel.counter)?.textContent || '',
        })""",
        {"current": PLAYER_CURRENT, "caption": PLAYER_CAPTION, "counter": PLAYER_COUNTER},
    )


def _wait_for_change(page, player, old: dict, seconds: float) -> dict:
    """Poll the player's state until it differs from ``old`` (or time runs out)."""
    for _ in range(int(seconds / 0.1)):
        now = _player_state(player)
        if now != old:
            return now
        page.wait_for_timeout(100)
    return _player_state(player)


def check_animations(page, summary, nb_path: Path) -> list[str]:
    """Each animation player in the notebook answers to step forward and play."""
    problems = []
    cells = {c.index: c for c in summary.code_cells}
    expected = [
        i for i, c in cells.items()
        if not c.may_raise and (ANIMATE_CALL.search(c.source) or c.metadata.get("gradviz", {}).get("animation"))
    ]  # fmt: skip
    if not expected:
        return problems
    notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
    for i in expected:
        players = notebook.locator(".jp-Cell").nth(i).locator(PLAYER)
        if players.count() == 0:
            problems.append(f"cell {i} animates but shows no player ({PLAYER})")
            continue
        for k in range(players.count()):
            player = players.nth(k)
            player.scroll_into_view_if_needed()
            before = _player_state(player)
            player.locator(PLAYER_BUTTON.format(action="next")).click()
            after_step = _wait_for_change(page, player, before, seconds=3)
            if after_step == before:
                problems.append(f"cell {i} player {k}: 'step forward' changed nothing ({before})")
            player.locator(PLAYER_BUTTON.format(action="reset")).click()
            start = _wait_for_change(page, player, after_step, seconds=3)
            player.locator(PLAYER_BUTTON.format(action="play")).click()
            played = _wait_for_change(page, player, start, seconds=5)  # ~1 frame/s at 1x
            player.locator(PLAYER_BUTTON.format(action="play")).click()  # pause again
            if played == start:
                problems.append(f"cell {i} player {k}: 'play' did not move in 5 s ({start})")
    return problems


# --------------------------------------------------------------------------- the test


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_notebook_in_jupyterlab(nb: Path, page, lab_server, open_and_run_all, screenshot_notebook, artifacts_dir):
    rel = lab_server.add_notebook(nb)
    summary = open_and_run_all(page, rel)
    name = ("lesson-" if nb.parent == LESSONS else "") + nb.stem
    screenshot_notebook(page, artifacts_dir / f"{name}.png")
    (artifacts_dir / f"{name}.json").write_text(json.dumps(summary.to_json(), indent=1))
    print(summary.describe())

    # JupyterLab honours only the tag: a comment-marked cell stops a student's Run All.
    comment_only = [c.index for c in summary.code_cells if c.marked_by_comment_only]
    assert not comment_only, (
        f"cells {comment_only} use '# NBVAL_RAISES_EXCEPTION' without the 'raises-exception' tag:"
        " JupyterLab's Run All stops there; add the tag"
    )
    assert not summary.unexpected_errors, summary.describe()
    assert not summary.unexecuted, "Run All did not reach these cells:\n" + summary.describe()
    assert not summary.widget_errors, summary.describe()
    assert summary.kernel_status == "idle", summary.describe()
    problems = check_draw_outputs(summary, nb) + check_animations(page, summary, nb)
    assert not problems, "\n".join(problems) + "\n" + summary.describe()


# --------------------------------------------------------------------------- the harness itself


def test_harness_sees_what_the_smoke_notebook_shows(page, lab_server, open_and_run_all):
    """The summary reports exactly what smoke.ipynb is built to show."""
    s = open_and_run_all(page, lab_server.add_notebook(SMOKE))
    by_id = {c.index: c for c in s.code_cells}
    assert s.errors and not s.unexpected_errors, s.describe()
    assert [(n, v) for _, n, v in s.errors] == [("ValueError", "shown on purpose")]
    assert not s.unexecuted, s.describe()  # Run All went past the tagged cell
    svg_img = [o for c in by_id.values() for o in c.outputs if o.svg_images]
    svg_inline = [o for c in by_id.values() for o in c.outputs if o.inline_svgs]
    assert [o.svg_node_counts for o in svg_img] == [[2]], s.describe()
    assert [o.svg_node_counts for o in svg_inline] == [[3]], s.describe()
    assert s.widget_count == 1 and not s.widget_errors, s.describe()
    assert "gradviz imported" in json.dumps([o.text for c in s.cells for o in c.outputs])


def test_harness_reports_unexpected_errors(page, lab_server, open_and_run_all):
    """An untagged error is caught, and Run All stops there, as for a student."""
    s = open_and_run_all(page, lab_server.add_notebook(OWN_NOTEBOOKS / "broken_on_purpose.ipynb"))
    assert [(n, v) for _, n, v in s.unexpected_errors] == [("RuntimeError", "unexpected on purpose")]
    assert s.unexecuted == [2], s.describe()
