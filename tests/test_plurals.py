"""Counts read as English: ``1 account``, ``1 entry``, never ``1 accounts`` or ``entry(s)``."""

from __future__ import annotations

from pathlib import Path

import pytest

from smm_tui.cli import main
from smm_tui.core.models import Contest, Platform
from smm_tui.screens.contests import contest_prompt
from tests.conftest import T0
from tests.test_headless import DEMO_ACCOUNT


def test_doctor_counts_in_real_plurals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(DEMO_ACCOUNT, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    env = {"HOME": str(tmp_path), "USER": "anna"}
    assert main(["doctor", "--config", str(config), "--data-dir", str(data)], env) == 0
    out = capsys.readouterr().out
    assert f"ok   config {config}: 1 account\n" in out
    assert f"ok   store {data}: readable, 0 mentions, 0 replies" in out


def test_a_contest_with_one_entry_says_entry() -> None:
    contest = Contest("c1", "Spring", Platform.VK, "bank-vk", "42", T0)
    assert "42 · 1 entry · open" in str(contest_prompt(contest, 1))
    assert "42 · 2 entries · open" in str(contest_prompt(contest, 2))
