"""detect_anomaly / set_detect_anomaly: find the forward call behind a failing backward.

While anomaly mode is on, every node records the user's forward stack when it is created;
when a node's backward raises, or (check_nan) returns NaN, a warning shows that stack and
the error names the node, with torch's texts.
"""
from __future__ import annotations

import warnings
from typing import Any

from .. import _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled",
           "set_anomaly_enabled"]

_ENABLED_WARNING = ("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                    "enabled for debugging.")


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _anomaly.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    _anomaly.enabled = bool(enabled)
    _anomaly.check_nan = bool(check_nan)


class detect_anomaly:
    """Context manager that turns anomaly mode on (torch's is not a decorator, so neither is this)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = _anomaly.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _anomaly.check_nan
        warnings.warn(_ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc: Any) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Switch anomaly mode at once; as a context manager it switches back on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _anomaly.enabled
        self.prev_check_nan = _anomaly.check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


for _cls in (detect_anomaly, set_detect_anomaly):
    _cls.__module__ = "torch.autograd.anomaly_mode"
