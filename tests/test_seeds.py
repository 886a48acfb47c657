"""Acceptance: every code cell of the five documents shows what PyTorch 2.13 shows."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from seed_cells import DOCS  # noqa: E402
from seed_runner import GOLDEN, run_all, run_document  # noqa: E402


@pytest.fixture(scope="module")
def ours() -> dict:
    return run_all("gradviz")


def test_golden_was_recorded_from_torch_2_13():
    data = json.loads(GOLDEN.read_text())
    assert data["torch"].startswith("2.13.0")
    assert set(data["outputs"]) == set(DOCS)


@pytest.mark.parametrize("doc", sorted(DOCS))
def test_document_matches_recorded_pytorch_output(ours, doc):
    expected = json.loads(GOLDEN.read_text())["outputs"][doc]
    for number, _ in DOCS[doc]:
        assert ours[doc][str(number)] == expected[str(number)], f"document {doc}, In [{number}]"


@pytest.mark.torch
@pytest.mark.parametrize("doc", sorted(DOCS))
def test_document_matches_live_pytorch(ours, doc):
    pytest.importorskip("torch")
    theirs = run_document(DOCS[doc], "torch")
    assert ours[doc] == theirs


def test_outputs_are_not_trivially_empty(ours):
    # Guards the runner itself: the documents print tensors, reprs and two expected errors.
    text = "".join(v for d in ours.values() for v in d.values())
    assert text.count("tensor(") > 60
    assert "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn" in text
    assert "RuntimeError: grad can be implicitly created only for scalar outputs" in text
    assert "<AddBackward0 at 0xADDR>" in text and "<MmBackward0 object at 0xADDR>" in text
