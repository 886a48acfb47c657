"""Real-browser classroom tests: JupyterLab on 127.0.0.1 driven by Debian's chromium.

What a student sees is checked in a real browser, not in nbclient: JupyterLab renders
``image/svg+xml`` as ``<img>``, sanitizes HTML, loads widget views from lab extensions,
and "Run All" stops at an error unless the cell is tagged ``raises-exception``.

Fixtures (every test in this folder gets the ``browser`` marker):

``lab_server``        one JupyterLab per session; root = temp copy of ``lessons/``;
                      ``lab_server.add_notebook(path)`` copies an extra notebook in.
``chromium_browser``  Playwright's chromium = the system ``chromium`` (never a download).
``page``              a fresh page per test, already knowing the server.
``open_and_run_all``  ``open_and_run_all(page, nb_path) -> RunSummary``.
``artifacts_dir``     ``tests/browser/artifacts/`` (git-ignored): screenshots, summaries.

Missing chromium / playwright / jupyterlab -> the tests skip, unless
``GRADVIZ_REQUIRE_BROWSER=1`` (CI), where they fail instead.
``GRADVIZ_BROWSER_TIMEOUT`` (seconds, default 180) bounds one notebook's run.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LESSONS = REPO / "lessons"
ARTIFACTS = HERE / "artifacts"

# Flags measured on this project's machines (ecosystem notes, section 6): no sandbox as
# root, no GPU, and no background networking (the closed network refuses it noisily).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

RAISES_TAGS = {"raises-exception", "nbval-raises-exception"}
RAISES_COMMENT = re.compile(r"^\s*#\s*NBVAL_RAISES_EXCEPTION\s*$", re.MULTILINE)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _timeout_s() -> float:
    return float(os.environ.get("GRADVIZ_BROWSER_TIMEOUT", "180"))


# --------------------------------------------------------------------------- marker + skip


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item of the session: mark only ours.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing_requirements() -> list[str]:
    missing = []
    if not shutil.which("chromium"):
        missing.append("the `chromium` executable (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Python playwright (pip install playwright; never `playwright install`)")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        missing.append("jupyterlab")
    return missing


@pytest.fixture(scope="session")
def browser_requirements() -> None:
    missing = _missing_requirements()
    if not missing:
        return
    msg = "browser test needs " + ", ".join(missing)
    if os.environ.get("GRADVIZ_REQUIRE_BROWSER") == "1":
        pytest.fail(msg + " (GRADVIZ_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(msg)


# --------------------------------------------------------------------------- JupyterLab


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    root: Path
    port: int
    token: str
    proc: subprocess.Popen
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        quoted = urllib.parse.quote(path)
        return f"{self.base}/lab/tree/{quoted}?token={self.token}&reset"

    def api(self, method: str, path: str) -> Any:
        req = urllib.request.Request(
            f"{self.base}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def add_notebook(self, src: str | os.PathLike, subdir: str = "extra") -> str:
        """Copy a notebook into the served root; returns its path as JupyterLab sees it."""
        src = Path(src)
        if src.resolve().is_relative_to(LESSONS.resolve()):
            return src.resolve().relative_to(LESSONS.resolve()).as_posix()
        dest = self.root / subdir / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        return dest.relative_to(self.root).as_posix()

    def shutdown_sessions(self) -> None:
        # A leftover kernel would keep an old module imported for the next notebook.
        try:
            for s in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{s['id']}")
            for k in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{k['id']}")
        except (urllib.error.URLError, OSError):
            pass


def _write_lab_settings(settings_dir: Path) -> None:
    # windowingMode "none": every cell stays in the DOM (the default virtual list drops
    # off-screen cells), so outputs can be counted and a full-length screenshot taken.
    tracker = settings_dir / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True, exist_ok=True)
    tracker.write_text(json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}))
    # No "would you like news?" toast over the screenshots.
    news = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@pytest.fixture(scope="session")
def lab_server(browser_requirements, tmp_path_factory) -> LabServer:
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    if LESSONS.is_dir():
        shutil.copytree(LESSONS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    root.mkdir(exist_ok=True)
    for d in ("config", "runtime", "data", "ipython", "settings", "workspaces"):
        (base / d).mkdir()
    _write_lab_settings(base / "settings")

    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_DATA_DIR=str(base / "data"),
        IPYTHONDIR=str(base / "ipython"),
        # Kernels import this checkout's gradviz, whatever else is on the machine.
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
        BROWSER="true",  # never let the server open a browser of its own
    )
    token = secrets.token_hex(16)
    log = base / "jupyterlab.log"
    last_error = ""
    for _attempt in range(3):  # a free port can be taken between probe and bind
        port = _free_port()
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={base / 'settings'}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--ServerApp.allow_root=True")
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = LabServer(root=root, port=port, token=token, proc=proc, log=log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                server.api("GET", "/api/status")
                break
            except (urllib.error.URLError, OSError) as e:
                last_error = str(e)
                time.sleep(0.25)
        else:
            _stop(proc)
            continue
        try:
            yield server
        finally:
            server.shutdown_sessions()
            _stop(proc)
        return
    pytest.fail(f"JupyterLab did not start ({last_error}); log:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    # The server is its own process group (start_new_session); kernels get shut down by
    # the server on SIGTERM and also exit when their parent dies.
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            pass


# --------------------------------------------------------------------------- Playwright


@pytest.fixture(scope="session")
def chromium_browser(browser_requirements):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        pw.stop()
        raise
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(chromium_browser, lab_server, artifacts_dir, request):
    """A fresh browser page; console errors are kept on ``page.gradviz_console``."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.gradviz_lab = lab_server  # what open_and_run_all needs to find the server
    pg.gradviz_console = []
    pg.on(
        "console",
        lambda m: pg.gradviz_console.append(f"{m.type}: {m.text}") if m.type == "error" else None,
    )
    pg.on("pageerror", lambda e: pg.gradviz_console.append(f"pageerror: {e}"))
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        # Whatever the test did, keep a picture of the failure.
        try:
            pg.screenshot(path=str(artifacts_dir / f"FAILED-{_slug(request.node.name)}.png"))
        except Exception:
            pass
    context.close()
    lab_server.shutdown_sessions()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", s).strip("_")[:120]


# --------------------------------------------------------------------------- open + run all


@dataclass
class OutputInfo:
    mime: str | None  # data-mime-type of the rendered output
    svg_images: int  # <img src="data:image/svg+xml..."> (image/svg+xml outputs)
    inline_svgs: int  # top-level <svg> elements (text/html, widgets)
    svg_node_counts: list[int]  # Graphviz nodes (<g class="node">, legend excluded) per SVG, images first
    widget: bool  # a widget view was rendered
    widget_error: str | None  # "Error displaying widget..." / still "Loading widget..."
    text: str  # first characters of the visible text


@dataclass
class CellResult:
    index: int
    cell_type: str
    source: str
    tags: list[str]
    metadata: dict
    execution_count: int | None
    errors: list[tuple[str, str]]  # (ename, evalue) of error outputs
    stderr: str
    outputs: list[OutputInfo]

    @property
    def may_raise(self) -> bool:
        return bool(RAISES_TAGS & set(self.tags)) or bool(RAISES_COMMENT.search(self.source))

    @property
    def marked_by_comment_only(self) -> bool:
        """nbval accepts the comment, but JupyterLab's Run All honours only the tag."""
        return bool(RAISES_COMMENT.search(self.source)) and not RAISES_TAGS & set(self.tags)


@dataclass
class RunSummary:
    path: str
    seconds: float
    kernel_status: str
    cells: list[CellResult]
    console_errors: list[str] = field(default_factory=list)

    @property
    def code_cells(self) -> list[CellResult]:
        return [c for c in self.cells if c.cell_type == "code"]

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        return [(c.index, n, v) for c in self.cells for n, v in c.errors]

    @property
    def unexpected_errors(self) -> list[tuple[int, str, str]]:
        return [(c.index, n, v) for c in self.cells if not c.may_raise for n, v in c.errors]

    @property
    def unexecuted(self) -> list[int]:
        """Code cells that Run All never reached (a non-empty source and no count)."""
        return [
            c.index for c in self.code_cells if c.source.strip() and c.execution_count is None
        ]

    @property
    def svg_count(self) -> int:
        return sum(o.svg_images + o.inline_svgs for c in self.cells for o in c.outputs)

    @property
    def widget_count(self) -> int:
        return sum(o.widget for c in self.cells for o in c.outputs)

    @property
    def widget_errors(self) -> list[tuple[int, str]]:
        return [(c.index, o.widget_error) for c in self.cells for o in c.outputs if o.widget_error]

    def describe(self) -> str:
        lines = [f"{self.path}: {len(self.cells)} cells, {self.seconds:.1f} s, kernel {self.kernel_status}"]
        for c in self.cells:
            for n, v in c.errors:
                lines.append(f"  cell {c.index}: {n}: {v}" + ("  (allowed)" if c.may_raise else ""))
            for o in c.outputs:
                if o.svg_images or o.inline_svgs or o.widget or o.widget_error:
                    lines.append(
                        f"  cell {c.index}: {o.mime} svg_img={o.svg_images} inline_svg={o.inline_svgs}"
                        f" nodes={o.svg_node_counts} widget={o.widget}"
                        + (f" widget_error={o.widget_error!r}" if o.widget_error else "")
                    )
        if self.unexecuted:
            lines.append(f"  never executed: cells {self.unexecuted}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "seconds": round(self.seconds, 2),
            "kernel_status": self.kernel_status,
            "errors": self.errors,
            "unexpected_errors": self.unexpected_errors,
            "unexecuted": self.unexecuted,
            "svg_count": self.svg_count,
            "widget_count": self.widget_count,
            "widget_errors": self.widget_errors,
            "console_errors": self.console_errors,
            "cells": [
                {
                    "index": c.index,
                    "tags": c.tags,
                    "execution_count": c.execution_count,
                    "errors": c.errors,
                    "outputs": [o.__dict__ for o in c.outputs],
                }
                for c in self.cells
            ],
        }


# A Graphviz node group and its <title> (the DOT node name). gradviz's legend entries are
# DOT nodes named L0, L1, ... (gradviz/display/dot.py): they are not part of the graph.
_SVG_NODE = re.compile(r"<g\b[^>]*\bclass=\"node\b[^>]*>\s*(?:<title>([^<]*)</title>)?")
LEGEND_NODE = re.compile(r"^L\d+$")


def _graph_nodes_in_svg(svg: str) -> int:
    return sum(1 for title in _SVG_NODE.findall(svg) if not LEGEND_NODE.match(title or ""))


def _svg_from_data_url(src: str) -> str:
    head, _, payload = src.partition(",")
    if head.endswith(";base64"):
        return base64.b64decode(payload).decode("utf-8", "replace")
    return urllib.parse.unquote(payload)


_JS_CURRENT_IS = """(path) => {
  const w = window.jupyterapp?.shell?.currentWidget;
  return !!(w && w.context && w.context.path === path && w.sessionContext?.session?.kernel
            && w.sessionContext.session.kernel.status === 'idle');
}"""

# Run All is over when no code cell is still running or queued (JupyterLab marks queued
# cells "running" and shows [*]) and the kernel is idle. The kernel alone is not enough: it
# flickers to idle between two queued cells.
_JS_RUN_FINISHED = """(path) => {
  const w = window.jupyterapp?.shell?.currentWidget;
  if (!w || !w.context || w.context.path !== path) return false;
  const k = w.sessionContext?.session?.kernel;
  if (!k || k.status !== 'idle') return false;
  return w.content.widgets.every(c => {
    if (c.model.type !== 'code') return true;
    if (c.model.executionState === 'running') return false;
    const prompt = c.node.querySelector('.jp-InputPrompt');
    return !(prompt && prompt.textContent.includes('*'));
  });
}"""

_JS_COLLECT = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const nb = panel.context.model.toJSON();
  const cells = panel.content.widgets.map((w, i) => {
    const area = w.outputArea ? w.outputArea.node : null;
    const outs = [];
    if (area) {
      for (const child of area.children) {
        if (!child.classList.contains('jp-OutputArea-child')) continue;
        const el = child.querySelector(':scope > .jp-OutputArea-output');
        if (!el) continue;
        const svgs = [...el.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'));
        const imgs = [...el.querySelectorAll('img')]
            .map(i => i.getAttribute('src') || '').filter(s => s.startsWith('data:image/svg+xml'));
        const text = el.innerText || '';
        const mime = el.getAttribute('data-mime-type')
            || el.querySelector('[data-mime-type]')?.getAttribute('data-mime-type') || null;
        let werr = null;
        if (text.includes('Error displaying widget')) werr = text.slice(0, 200);
        else if (text.includes('Loading widget...')) werr = 'still loading';
        outs.push({
          mime, imgs,
          inline: svgs.map(s => [...s.querySelectorAll('g.node')].filter(
              g => !/^L\\d+$/.test((g.querySelector('title')?.textContent || '').trim())).length),
          widget: mime === '""" + WIDGET_MIME + """' || !!el.querySelector('.jupyter-widgets'),
          werr, text: text.slice(0, 300),
        });
      }
    }
    return {outs};
  });
  return {nb, cells, kernel: panel.sessionContext.session?.kernel?.status || 'none'};
}"""

_JS_WIDGETS_SETTLED = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return !panel.node.innerText.includes('Loading widget...');
}"""


def open_notebook(page, nb_path: str) -> None:
    """Open ``nb_path`` (relative to the server root) and wait for an idle kernel."""
    lab: LabServer = page.gradviz_lab
    page.goto(lab.url(nb_path))
    page.wait_for_function(_JS_CURRENT_IS, arg=nb_path, timeout=_timeout_s() * 1000)


def open_and_run_all(page, nb_path: str) -> RunSummary:
    """Open a notebook in JupyterLab, Run All (as a student would), wait for the end.

    Returns what the student would see: error outputs (ename/evalue), SVGs per output
    (``<img>`` for image/svg+xml, inline ``<svg>`` for HTML/widgets, with their Graphviz
    node counts), widget views and widget errors, cells Run All never reached.
    """
    t0 = time.monotonic()
    open_notebook(page, nb_path)
    page.evaluate("async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    # Finished = the condition holds twice in a row, 0.5 s apart (no cell starting late).
    deadline = time.monotonic() + _timeout_s()
    while True:
        remaining = max(1.0, deadline - time.monotonic())
        page.wait_for_function(_JS_RUN_FINISHED, arg=nb_path, timeout=remaining * 1000, polling=200)
        page.wait_for_timeout(500)
        if page.evaluate(_JS_RUN_FINISHED, nb_path) or time.monotonic() > deadline:
            break
    try:  # widget views render asynchronously after their output arrives
        page.wait_for_function(_JS_WIDGETS_SETTLED, timeout=15_000)
    except Exception:
        pass  # reported per output as widget_error="still loading"
    page.wait_for_timeout(300)  # let late DOM updates (SVG layout, widget paints) land
    raw = page.evaluate(_JS_COLLECT)
    cells: list[CellResult] = []
    for i, cell in enumerate(raw["nb"]["cells"]):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        outs = cell.get("outputs", []) if cell["cell_type"] == "code" else []
        dom = raw["cells"][i]["outs"] if i < len(raw["cells"]) else []
        # The DOM's output children and the model's outputs correspond one to one.
        model_mimes = [sorted(o.get("data", {})) for o in outs]
        if len(model_mimes) != len(dom):
            model_mimes = [[] for _ in dom]
        infos = []
        for o, mimes in zip(dom, model_mimes):
            img_nodes = [_graph_nodes_in_svg(_svg_from_data_url(s)) for s in o["imgs"]]
            infos.append(
                OutputInfo(
                    mime=o["mime"] or (WIDGET_MIME if WIDGET_MIME in mimes else ",".join(mimes) or None),
                    svg_images=len(o["imgs"]),
                    inline_svgs=len(o["inline"]),
                    svg_node_counts=img_nodes + list(o["inline"]),
                    widget=bool(o["widget"]) or WIDGET_MIME in mimes,
                    widget_error=o["werr"],
                    text=o["text"],
                )
            )
        stderr = "".join(
            "".join(o["text"]) if isinstance(o.get("text"), list) else o.get("text", "")
            for o in outs
            if o.get("output_type") == "stream" and o.get("name") == "stderr"
        )
        cells.append(
            CellResult(
                index=i,
                cell_type=cell["cell_type"],
                source=src,
                tags=list(cell.get("metadata", {}).get("tags", [])),
                metadata=dict(cell.get("metadata", {})),
                execution_count=cell.get("execution_count"),
                errors=[
                    (o.get("ename", ""), o.get("evalue", ""))
                    for o in outs
                    if o.get("output_type") == "error"
                ],
                stderr=stderr,
                outputs=infos,
            )
        )
    return RunSummary(
        path=nb_path,
        seconds=time.monotonic() - t0,
        kernel_status=raw["kernel"],
        cells=cells,
        console_errors=list(getattr(page, "gradviz_console", [])),
    )


@pytest.fixture(name="open_and_run_all")
def open_and_run_all_fixture():
    """The helper as a fixture: ``summary = open_and_run_all(page, "01-x.ipynb")``."""
    return open_and_run_all


def screenshot_notebook(page, path: Path, max_height: int = 16_000) -> Path:
    """Screenshot the whole current notebook (not just the viewport), sidebar closed."""
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
    height = page.evaluate(
        """() => {
          const panel = window.jupyterapp.shell.currentWidget;
          const scroller = panel.content.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
          scroller.scrollTop = 0;
          const cells = panel.content.node.querySelectorAll('.jp-Cell');
          const last = cells.length ? cells[cells.length - 1] : panel.content.node;
          // bottom of the last cell + the status bar, not JupyterLab's scroll-past-end space
          return Math.ceil(last.getBoundingClientRect().bottom + 80);
        }"""
    )
    page.set_viewport_size({"width": 1280, "height": max(600, min(int(height), max_height))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    return path


@pytest.fixture(name="screenshot_notebook")
def screenshot_notebook_fixture():
    return screenshot_notebook
