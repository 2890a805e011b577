"""saved_replies.toml is picked up while the app runs, and a bad edit keeps the replies in use."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import smm_tui.app as app_module
from smm_tui.config import demo_config
from smm_tui.wiring import SavedRepliesWatch
from tests.conftest import FakeClock
from tests.ui.harness import notices, running, wait_for

FIRST = """
[[saved_replies]]
name = "thanks"
body = "Thank you, {first_name}!"
"""
SECOND = (
    FIRST
    + """
[[saved_replies]]
name = "sorry"
language = "en"
body = "Sorry for the wait ({ticket})."
"""
)


async def test_an_edited_file_is_reloaded_and_a_bad_one_is_said(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "SAVED_REPLIES_EVERY", 0.05)
    side = tmp_path / "saved_replies.toml"
    side.write_text(FIRST, encoding="utf-8")
    config = dataclasses.replace(demo_config("alice"), source=tmp_path / "config.toml")
    watch = SavedRepliesWatch(config)
    async with running(
        tmp_path / "data", clock, config=config, saved_replies_watch=watch.check
    ) as run:
        said = notices(run.app, monkeypatch)
        book = run.workspace.saved_replies
        side.write_text(SECOND, encoding="utf-8")
        await wait_for(run.pilot, lambda: book.named("sorry") is not None, "the new reply")
        assert "Saved replies reloaded: 2" in [text for text, _ in said]

        side.write_text('[[saved_replies]]\nname = "broken"\n', encoding="utf-8")
        await wait_for(run.pilot, lambda: any("saved_replies.toml" in t for t, _ in said), "why")
        assert book.named("sorry") is not None, "the replies in use are kept"
        warning = next(text for text, _ in said if "saved_replies.toml" in text)
        assert "\n" not in warning and "kept" in warning
