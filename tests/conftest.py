"""Shared pytest set-up: one hypothesis profile for the whole suite.

Examples are derandomized so a CI failure reproduces locally, and there is no deadline
because two shared cores make timings noisy. HYPOTHESIS_MAX_EXAMPLES scales every
property test (200 by default, the figure the reliability notes ask of gradcheck).
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

MAX_EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "200"))

settings.register_profile(
    "gradviz",
    derandomize=True,
    deadline=None,
    max_examples=MAX_EXAMPLES,
    database=None,  # derandomized runs need no example database (and so write no files)
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("gradviz")
