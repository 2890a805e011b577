"""Text from networks renders literally: no markup, no actions, no control bytes (TERM-1/2/4)."""

from __future__ import annotations

from pathlib import Path

from smm_tui.config import Config
from smm_tui.core.models import Author, Mention, Platform
from smm_tui.core.workspace import Workspace
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock
from tests.ui.harness import running, wait_for

HOSTILE = [
    "[@click=app.quit]click me[/]",
    "[link=https://evil.example]https://bank.example[/link] and [link=",
    "title\x1b]0;pwned\x07 clear\x1b[2J csi\x9b31m end",
    "[bold red]not bold[/bold red] [/] [",
]


def seed_hostile(data_dir: Path, clock: FakeClock) -> list[Mention]:
    mentions = [
        Mention(
            platform=Platform.VK,
            account="bank-vk",
            external_id=f"h{n}",
            author=Author(id=f"a{n}", handle=f"[@click=app.quit]h{n}\u202e", display_name="[b]x"),
            text=text,
            created_at=T0,
        )
        for n, text in enumerate(HOSTILE)
    ]
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="alice", sources={}, clock=clock)
        store.commit(workspace.ingest.changes_for(mentions))
    return mentions


async def test_hostile_mentions_render_literally_and_do_nothing(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "data"
    seed_hostile(data_dir, clock)
    config = Config(user="alice")
    async with running(data_dir, clock, config=config, size=(120, 30), poll=False) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) == len(HOSTILE), "the feed")
        screen_text = app.export_screenshot()
        assert "[@click=app.quit]click me[/]" in screen_text.replace("&#160;", " ")
        assert "\x1b" not in screen_text and "\x9b" not in screen_text
        assert "␛]0;pwned␇" in screen_text
        assert "⟨RLO⟩" in screen_text

        for row in range(len(HOSTILE)):
            await pilot.click("#feed-list", offset=(40, row))
            await pilot.click("#feed-preview", offset=(5, 2))
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, FeedScreen)

        await pilot.press("g", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MentionScreen), "the detail view")
        await pilot.click("#detail-mention", offset=(3, 1))
        await pilot.click("#detail-mention", offset=(10, 1))
        assert app.is_running and isinstance(app.screen, MentionScreen)
        detail_text = app.export_screenshot()
        assert "\x1b" not in detail_text
