"""Anomaly mode's state and its two engine hooks: record a node's forward stack, check its backward.

The engine reads ``enabled`` (a plain module global) once per node it creates and once per node
it runs, so with anomaly mode off the whole feature costs a flag check. The public switches
(detect_anomaly, set_detect_anomaly) live in gradviz.autograd.anomaly_mode.
"""
from __future__ import annotations

import os
import sys
import traceback
import warnings
from typing import Any

import numpy as np

enabled = False
check_nan = True

_PKG = os.path.dirname(os.path.abspath(__file__)) + os.sep
_KEY = "traceback_"  # torch keeps the forward stack under this key of grad_fn.metadata


def _is_user(filename: str) -> bool:
    return not os.path.abspath(filename).startswith(_PKG)


def record(node: Any) -> None:
    """Keep the user's part of the current stack on ``node`` (gradviz's own frames are noise)."""
    frames = [f for f in traceback.extract_stack() if _is_user(f.filename)]
    node.metadata[_KEY] = traceback.format_list(frames)


def user_stacklevel() -> int:
    """The warnings.warn stacklevel that points at the first caller outside gradviz."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and not _is_user(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    return level


def _warn(node: Any) -> None:
    stack = node.__dict__.get("_metadata", {}).get(_KEY)
    if stack:
        msg = (f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
               + "".join(stack)
               + " (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:122.)")
    else:
        msg = (f"Error detected in {node.name()}. No forward pass information available. Enable detect anomaly "
               "during forward pass for more information. (Triggered internally at "
               "/__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:100.)")
    warnings.warn(msg, UserWarning, stacklevel=user_stacklevel())


def run(node: Any, grad: Any, extra: Any = None, runner: Any = None) -> tuple:
    """Run ``node``'s backward as the engine would; on an error or a NaN, name its forward call.

    ``runner(node, grad, extra)`` replaces the plain ``node._run_backward`` (a create_graph pass).
    """
    try:
        if runner is not None:
            out = runner(node, grad, extra)
        elif extra is None:
            out = node._run_backward(grad)
        else:
            out = node._run_backward(grad, extra)
    except Exception:
        _warn(node)
        raise
    if check_nan:
        for i, g in enumerate(out):
            if g is None:
                continue
            arr = getattr(g, "_data", g)  # arrays, or Tensors when the pass builds a graph
            if arr.dtype.kind in "fc" and np.isnan(arr).any():
                _warn(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
    return out
