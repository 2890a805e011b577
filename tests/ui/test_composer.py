"""The composer: live length against the network's limit, drafts that survive quitting."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static, TextArea

from smm_tui.core.models import Draft, Platform, ReplyState
from smm_tui.core.repository import Collection
from smm_tui.screens.composer import ComposerScreen
from smm_tui.store.store import Store
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import Running, running, settle, wait_for


async def open_composer_on(run: Running, platform: Platform) -> str:
    ws = run.workspace
    await wait_for(run.pilot, lambda: len(run.feed.ids) >= 140, "the whole backlog")
    target = next(i for i in run.feed.ids if ws.ctx.mention(i).platform is platform)
    feed = run.app.screen.query_one(FeedList)
    feed.cursor = run.feed.index_of(target) or 0
    await run.pilot.press("r")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, ComposerScreen), "composer")
    return target


def count_text(run: Running) -> str:
    return str(run.app.screen.query_one("#composer-count", Static).render())


async def test_count_uses_the_networks_rule_and_blocks_overlong(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        mention_id = await open_composer_on(run, Platform.X)
        run.app.screen.query_one(TextArea).text = "see https://example.com/a " + "x" * 60
        await wait_for(run.pilot, lambda: count_text(run).startswith("88 / 280"), "a URL is 23")
        run.app.screen.query_one(TextArea).text = "漢" * 141
        await wait_for(run.pilot, lambda: "282 / 280" in count_text(run), "CJK weighs 2 on X")
        assert "over the limit" in count_text(run)
        await run.pilot.press("ctrl+s")
        await settle(run.pilot)
        assert isinstance(run.app.screen, ComposerScreen)
        assert run.workspace.outbox.replies_to(mention_id) == []


async def test_draft_survives_quitting_without_leaving(tmp_path: Path, clock: FakeClock) -> None:
    data_dir = tmp_path / "data"
    async with running(data_dir, clock) as run:
        mention_id = await open_composer_on(run, Platform.VK)
        await run.pilot.press(*"half a thought")
        run.app.exit()
    with Store.open(data_dir) as store:
        record = store.get(Collection.DRAFTS, mention_id)
        assert record is not None and Draft.from_record(record).text == "half a thought"

    async with running(data_dir, clock) as run:
        await run.pilot.press("g")
        again = await open_composer_on(run, Platform.VK)
        assert again == mention_id
        assert run.app.screen.query_one(TextArea).text == "half a thought"
        await run.pilot.press(*" and the rest", "ctrl+s")
        await wait_for(
            run.pilot,
            lambda: (
                [r.state for r in run.workspace.outbox.replies_to(mention_id)] == [ReplyState.SENT]
            ),
            "the reply sent",
        )
        assert run.workspace.outbox.draft(mention_id) is None
        assert run.workspace.outbox.replies_to(mention_id)[0].text == "half a thought and the rest"


async def test_send_pressed_three_times_publishes_one_reply(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        mention_id = await open_composer_on(run, Platform.VK)
        await run.pilot.press(*"Thank you, we are on it")
        composer = run.app.screen
        assert isinstance(composer, ComposerScreen)
        # Three presses handled before the first reply is recorded, as over a slow link.
        for _ in range(3):
            composer.action_send()
        outbox = run.workspace.outbox
        await wait_for(
            run.pilot,
            lambda: [r.state for r in outbox.replies_to(mention_id)] == [ReplyState.SENT],
            "one reply, sent",
        )
        await settle(run.pilot)
        assert len(outbox.replies_to(mention_id)) == 1
