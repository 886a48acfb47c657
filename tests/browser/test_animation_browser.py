"""The backward player in a real browser: live in JupyterLab, and exported with to_html() over file://.

JupyterLab + Debian's chromium come from this folder's conftest (lab_server, page,
open_and_run_all, artifacts_dir). The notebook is written here, so what it runs is next
to what is checked: the seed example ``z = ((x + 2) * (x + 2) * 2).mean()``, animated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

PLAYER = ".gradviz-player"
CURRENT = "g.node.gv-current"

CELLS = [
    "import gradviz as torch",
    "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
    "y = x + 2\n"
    "z = (y * y * 2).mean()\n"
    "player = torch.animate(z, names={'x': x})\n"
    "player",
    # animate() must leave .grad alone, and the graph usable
    "print('grad after animate:', x.grad)\n"
    "z.backward()\n"
    "print('grad after backward:', x.grad)",
    "player.to_html('exported_animation.html');",
]


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nb.cells[1].metadata["gradviz"] = {"animation": True}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _state(player) -> dict:
    return player.evaluate(
        """(root) => ({
            current: [...root.querySelectorAll('g.node.gv-current')].map(g => g.id).join(','),
            done: root.querySelectorAll('g.node.gv-done').length,
            grads: [...root.querySelectorAll('text.gv-grad')].map(t => t.textContent),
            caption: root.querySelector('.gv-caption')?.textContent || '',
            counter: root.querySelector('.gv-counter')?.textContent || '',
        })"""
    )


def _exercise(page, player, shots: Path, prefix: str) -> list[dict]:
    """Next twice, then play: each must change the highlighted node and the numbers shown."""
    player.scroll_into_view_if_needed()
    page.wait_for_function(
        "(root) => root.querySelector('g.node.gv-current')", arg=player.element_handle()
    )
    seen = [_state(player)]
    player.screenshot(path=str(shots / f"{prefix}-0-start.png"))
    for i in (1, 2):
        player.locator('button[data-action="next"]').click()
        page.wait_for_timeout(150)
        seen.append(_state(player))
        player.screenshot(path=str(shots / f"{prefix}-{i}-next.png"))
    player.locator('button[data-action="reset"]').click()
    page.wait_for_timeout(150)
    start = _state(player)
    player.locator('button[data-action="play"]').click()
    page.wait_for_timeout(2600)  # 1 frame per second at 1x
    seen.append(_state(player))
    player.locator('button[data-action="play"]').click()  # pause
    player.screenshot(path=str(shots / f"{prefix}-3-played.png"))
    assert start["current"] == seen[0]["current"], (start, seen[0])

    for a, b in zip(seen, seen[1:-1]):
        assert a["current"] != b["current"], seen
        assert a["caption"] != b["caption"], seen
        assert len(b["grads"]) > len(a["grads"]) or a["grads"] != b["grads"], seen
    assert seen[-1]["current"] not in ("", start["current"]) or seen[-1]["done"], seen
    assert seen[-1]["counter"] != start["counter"], (start, seen[-1])
    return seen


def test_player_live_in_jupyterlab_and_exported_file(page, lab_server, open_and_run_all, artifacts_dir, tmp_path):
    rel = lab_server.add_notebook(_notebook(tmp_path / "animation_player.ipynb"))
    summary = open_and_run_all(page, rel)
    (artifacts_dir / "animation-notebook.json").write_text(json.dumps(summary.to_json(), indent=1))
    assert not summary.errors, summary.describe()
    assert not summary.widget_errors, summary.describe()
    outputs = " ".join(o.text for c in summary.cells for o in c.outputs)
    assert "grad after animate: None" in outputs, outputs
    # printed by torch 2.13 for the same cell (recorded here as the golden text)
    assert "grad after backward: tensor([4.0000, 5.3333, 6.6667])" in outputs, outputs

    cell = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").nth(1)
    player = cell.locator(PLAYER)
    assert player.count() == 1, summary.describe()
    live = _exercise(page, player.first, artifacts_dir, "animation-live")
    # The caption is the engine's: the first step is the mean node (torch 2.13 names it so).
    assert "MeanBackward0" in live[0]["caption"], live[0]
    assert page.gradviz_console == [], page.gradviz_console

    # The exported file, opened straight from disk: no server, no kernel, no network.
    exported = lab_server.root / Path(rel).parent / "exported_animation.html"
    assert exported.is_file(), list(exported.parent.iterdir())
    offline = page.context.browser.new_context(viewport={"width": 1100, "height": 800}, offline=True)
    try:
        pg = offline.new_page()
        errors: list[str] = []
        requests: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(exported.resolve().as_uri())
        file_player = pg.locator(PLAYER)
        file_states = _exercise(pg, file_player, artifacts_dir, "animation-file")
        assert [s["current"] for s in file_states[:3]] == [s["current"] for s in live[:3]]
        assert [s["grads"] for s in file_states[:3]] == [s["grads"] for s in live[:3]]
        assert errors == [], errors
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
    finally:
        offline.close()
