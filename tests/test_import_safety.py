"""`import gradviz` touches no network and starts no process (Binder, classrooms, CI)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

# Run in a fresh interpreter so that the import really happens under the guards.
PROBE = textwrap.dedent(
    """
    import socket, subprocess, os, sys, time

    calls = []

    def refuse(name):
        def guard(*args, **kwargs):
            calls.append(name)
            raise RuntimeError(f"{name} called during import")
        return guard

    socket.socket = refuse("socket.socket")
    socket.create_connection = refuse("socket.create_connection")
    socket.getaddrinfo = refuse("socket.getaddrinfo")
    subprocess.Popen = refuse("subprocess.Popen")
    os.system = refuse("os.system")
    os.posix_spawn = refuse("os.posix_spawn")
    os.fork = refuse("os.fork")

    t0 = time.perf_counter()
    import gradviz
    import gradviz.nn, gradviz.optim, gradviz.autograd
    elapsed = time.perf_counter() - t0
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    print("calls", calls)
    print("display loaded", any(m.startswith("gradviz.display") for m in sys.modules))
    print("heavy loaded", sorted(m for m in ("graphviz", "ipywidgets", "anywidget", "IPython", "wasmtime") if m in sys.modules))
    """
)


def _probe() -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def test_import_opens_no_socket_and_starts_no_process():
    lines = _probe()
    assert "calls []" in lines


def test_engine_import_does_not_load_the_display_layer():
    lines = _probe()
    assert "display loaded False" in lines
    assert "heavy loaded []" in lines


def test_the_guards_would_catch_a_violation():
    # The probe must be able to fail: the same guards catch a subprocess started after them.
    code = PROBE.replace("import gradviz\n", "import gradviz\nimport subprocess as sp\ntry:\n    sp.Popen(['true'])\nexcept RuntimeError:\n    pass\n", 1)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "calls ['subprocess.Popen']" in out.stdout.splitlines()
