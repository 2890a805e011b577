"""The proof the repository ships (made by the demo, on the recorded beacon) checks out."""

from __future__ import annotations

import json
import re
from pathlib import Path

from smm_tui.core.proof_check import check_proof

EXAMPLE = Path(__file__).parent.parent.parent / "docs" / "examples" / "proof-v2.json"


def test_the_shipped_demo_proof_is_valid_and_labelled_a_replay() -> None:
    proof = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    checked = check_proof(proof)
    assert checked.valid, checked.problem
    assert proof["commitment"]["replay"] is True
    assert any(note.startswith("replay: ") for note in checked.notes)
    assert proof["commitment"]["text"].endswith("[replay]")


def test_a_changed_freeze_post_is_caught_before_the_signature() -> None:
    proof = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    proof["frozen"]["text"] = re.sub(r"\d+ valid", "999 valid", proof["frozen"]["text"])
    checked = check_proof(proof)
    assert checked.problem is not None
    assert checked.problem.startswith("the post freezing the entries does not match them")
