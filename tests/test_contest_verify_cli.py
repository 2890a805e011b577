"""``smm-tui contest verify PROOF.json`` as a participant runs it: a fresh process, an
empty home, no config, no data dir, no network."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smm_tui.core.beacon import Beacon
from smm_tui.core.contest_proof import (
    Commitment,
    ProofEntry,
    build_proof,
    entries_hash,
    proof_json,
)
from smm_tui.core.contest_rules import parse_rules
from smm_tui.core.models import Platform

RECORDED = Path(__file__).resolve().parent / "fixtures" / "drand" / "quicknet-657413.json"

RULES = """
opens = "2026-11-01T12:00:00+03:00"
closes = "2026-11-08T18:00:00+03:00"
winners = 1
reserves = 1

[[posts]]
network = "vk"
post = "-123_456"
"""


def _proof() -> dict[str, Any]:
    """A replay proof on the real recorded quicknet round 657413."""
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    beacon = Beacon(
        recorded["round"],
        bytes.fromhex(recorded["randomness"]),
        bytes.fromhex(recorded["signature"]),
    )
    rules = parse_rules(RULES)
    return build_proof(
        contest="Кедр",
        rules=rules,
        commitment=Commitment(rules.rules_hash(), beacon.round, replay=True),
        commitment_url=None,
        entries=[ProofEntry(Platform.VK, f"-123_456_{n}", f"user{n}") for n in range(4)],
        beacon=beacon,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty home: nothing of smm-tui's (no config, no data dir) is there to be found."""
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def _verify(proof_file: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """Run ``smm-tui contest verify`` in a fresh interpreter with only a home and a PATH."""
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(
        [sys.executable, "-m", "smm_tui", "contest", "verify", str(proof_file)],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _written(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_proof_is_valid_with_its_notes_and_touches_no_home(
    tmp_path: Path, home: Path
) -> None:
    ran = _verify(_written(tmp_path, "proof.json", proof_json(_proof())), home)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "valid (a replay: it shows the method, not a fair draw)"
    assert lines[1].startswith("replay: round 657413 was published 2023-09-15 11:00:03 UTC")
    assert ran.stderr == ""
    assert list(home.iterdir()) == []


def test_a_changed_entry_is_invalid_with_its_reason(tmp_path: Path, home: Path) -> None:
    proof = copy.deepcopy(_proof())
    proof["entries"][2]["handle"] = "mallory"
    ran = _verify(_written(tmp_path, "proof.json", proof_json(proof)), home)
    assert ran.returncode == 1
    assert ran.stdout.startswith("invalid: the entries changed: they hash to ")
    assert ran.stdout.count("\n") == 1 and ran.stderr == ""


def test_text_quoted_from_the_file_cannot_drive_the_terminal(tmp_path: Path, home: Path) -> None:
    # An entry on a network the contest is not on, consistently rehashed: the mismatch
    # quotes its id, which the file's author chose.
    proof = copy.deepcopy(_proof())
    sneaky = ProofEntry(Platform.BLUESKY, "x\x1b[2J\x1b]0;pwned\x07", "eve")
    proof["entries"] = [sneaky.as_record()]
    proof["entries_hash"] = entries_hash([sneaky])
    ran = _verify(_written(tmp_path, "proof.json", proof_json(proof)), home)
    assert ran.returncode == 1
    assert "\x1b" not in ran.stdout and "\x07" not in ran.stdout
    assert ran.stdout.startswith("invalid: entry x␛[2J␛]0;pwned␇ is on bluesky, where the")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("torn.json", '{"format": "smm-contest-proof", ', "not a JSON proof file"),
        ("latin1.json", None, "not UTF-8 text"),
        ("absent.json", "", "cannot read"),
    ],
)
def test_an_unusable_file_is_one_line_naming_it_exit_2(
    tmp_path: Path, home: Path, name: str, content: str | None, says: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.write_bytes(b'{"contest": "\xe9t\xe9"}')
    elif content:
        path.write_text(content, encoding="utf-8")
    ran = _verify(path, home)
    assert ran.returncode == 2
    assert ran.stdout == ""
    assert ran.stderr.count("\n") == 1 and "Traceback" not in ran.stderr
    assert str(path) in ran.stderr and says in ran.stderr
