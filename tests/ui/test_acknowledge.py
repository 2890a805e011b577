"""Opening a ticket offers the customer an acknowledgement; an empty search says so (issue 12)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from smm_tui.core.acknowledge import acknowledgement
from smm_tui.core.models import Status
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock, make_mention
from tests.ui.harness import Running, running, wait_for


async def with_queue(run: Running) -> None:
    """Three open mentions, in Russian, and the feed showing them."""
    texts = ["Карту заблокировали, помогите", "Где моя карта?", "Не приходит СМС"]
    mentions = [make_mention(n, text=text, language="ru") for n, text in enumerate(texts)]
    await run.workspace.ingest.ingest(mentions)
    await wait_for(run.pilot, lambda: len(run.feed.ids) == 3, "the open queue")


async def test_a_new_ticket_opens_the_composer_with_an_acknowledgement(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        pilot, ws = run.pilot, run.workspace
        await with_queue(run)
        feed_list = run.app.screen.query_one(FeedList)
        mention_id = feed_list.current
        assert mention_id is not None
        mention = ws.ctx.mention(mention_id)
        assert mention.first_response_at is None

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ComposerScreen), "the composer")
        area = run.app.screen.query_one(TextArea)
        assert area.text == acknowledgement(mention)
        assert ws.ctx.mention(mention_id).status is Status.TICKETED

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(run.app.screen, FeedScreen), "back to the feed")
        draft = ws.outbox.draft(mention_id)
        assert draft is not None and draft.text == acknowledgement(mention)
        # Still waiting for an answer: still in the queue.
        assert mention_id in list(run.feed.ids)


async def test_a_query_that_matches_nothing_says_so_literally(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        pilot = run.pilot
        await with_queue(run)
        await pilot.press("slash", *"[b]zqx", "enter")
        await wait_for(pilot, lambda: len(run.feed.ids) == 0, "an empty result")
        feed_list = run.app.screen.query_one(FeedList)
        await wait_for(
            pilot, lambda: "nothing matches [b]zqx" in feed_list.render_line(0).text, "the message"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(run.feed.ids) > 0, "the queue again")
        assert feed_list.empty_text == "No mentions here yet."
