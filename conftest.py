"""Repository-wide pytest set-up (tests/ and the lessons' nbval run)."""
import os

# Pin one renderer so stored SVG outputs compare byte for byte on every machine;
# set before any kernel starts, so nbval's kernels inherit it.
os.environ.setdefault("GRADVIZ_RENDERER", "wasm")

# Notebooks used as fixtures by the browser tests are not lessons: nbval must not collect them.
collect_ignore_glob = ["tests/browser/notebooks/*", "tests/browser/artifacts/*"]
