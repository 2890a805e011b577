"""The Content pane's sends: retrying a failed post, reading counters, announcing outcomes,
and publishing only in the process that polls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from smm_tui.core.calendar import Status
from smm_tui.core.planning import PostDraft
from smm_tui.core.posts import DeliveryState, delivery_id
from smm_tui.core.publisher import UNVERIFIABLE
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.messages import DeliverySettled
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.store.lease import PollerLease
from tests.conftest import T0, FakeClock
from tests.ui.harness import notices, running, settle, wait_for
from tests.ui.test_content_kit import as_sources, content_pane, publishing_sources


async def test_r_retries_a_failed_delivery(tmp_path: Path, clock: FakeClock) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.select("tuesday", "bank-mastodon")
        await pane.press("R")
        await wait_for(
            pane.run.pilot,
            lambda: pane.state("tuesday", "bank-mastodon") is DeliveryState.PUBLISHED,
            "published on retry",
        )
        await settle(pane.run.pilot)
        entry = pane.selected()
        assert entry is not None and entry.status is Status.PUBLISHED, "the pane shows it"


async def test_r_asks_before_forcing_a_post_that_may_be_out(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with content_pane(tmp_path, clock) as pane:
        ws = pane.run.workspace
        made = await ws.planning.create(PostDraft("Channel news", ("bank-tg",)), T0)
        record = delivery_id(made.id, "bank-tg")
        await ws.publisher.send(record, pane.sources["bank-tg"])
        # As if the answer had been lost on a network that cannot list the channel's posts.
        changes = {"state": "failed", "error": UNVERIFIABLE, "uncertain": True}
        await ws.ctx.commit(ChangeSet().patch(Collection.DELIVERIES, record, changes))
        pane.screen.select(record)
        await pane.run.pilot.pause()
        sent_before = len(pane.sources["bank-tg"].posts)
        await pane.press("R")
        await pane.showing(ConfirmScreen)
        await pane.press("n")
        await settle(pane.run.pilot)
        assert ws.planning.delivery(record).state is DeliveryState.FAILED
        await pane.press("R")
        await pane.showing(ConfirmScreen)
        await pane.press("y")
        await wait_for(
            pane.run.pilot,
            lambda: ws.planning.delivery(record).state is DeliveryState.PUBLISHED,
            "forced",
        )
        assert len(pane.sources["bank-tg"].posts) == sent_before + 1


async def test_m_reads_the_counters_now(tmp_path: Path, clock: FakeClock) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.select("wednesday", "bank-x")
        clock.now = T0 + timedelta(minutes=5)
        await pane.press("m")
        record = delivery_id(pane.plan.posts["wednesday"].id, "bank-x")
        planning = pane.run.workspace.planning
        await wait_for(
            pane.run.pilot,
            lambda: planning.delivery(record).metrics_at == T0 + timedelta(minutes=5),
            "counters read",
        )
        assert planning.delivery(record).metrics_checks == 0, "on demand: the schedule stays"


async def test_a_settled_delivery_is_announced_and_redraws_the_pane(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with content_pane(tmp_path, clock) as pane:
        said = notices(pane.app, monkeypatch)
        fills: list[int] = []
        monkeypatch.setattr(pane.screen, "fill", lambda: fills.append(1))
        failed = pane.run.workspace.planning.delivery(
            delivery_id(pane.plan.posts["tuesday"].id, "bank-mastodon")
        )
        pane.app.post_message(DeliverySettled(failed))
        await wait_for(pane.run.pilot, lambda: fills, "the pane re-read")
        assert said == [
            (
                "Post failed on bank-mastodon: mastodon account 'bank-mastodon': the instance "
                "refused the post (422) (R in Content retries)",
                "error",
            )
        ]


# -- the publishing engine ------------------------------------------------------------------------


async def test_only_the_polling_process_publishes(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    other = PollerLease(data_dir, "teammate-host:4242")
    assert other.try_acquire()
    sources = publishing_sources(clock)
    async with running(data_dir, clock, sources=as_sources(sources)) as run:
        app, pilot = run.app, run.pilot
        said = notices(app, monkeypatch)
        assert not app.polling
        assert [w for w in app.workers if w.group == "poll"] == [], "no engine while not polling"
        planning = run.workspace.planning
        ok = await planning.create(PostDraft("Now on VK", ("bank-vk",)), T0)
        sources["bank-tg"].refuse = "telegram account 'bank-tg': chat not found"
        refused = await planning.create(PostDraft("Now on TG", ("bank-tg",)), T0)
        other.release()
        app.claim_polling()
        assert app.polling
        # A poller per account, then publishing, the tickets' work and the incidents' replies.
        assert len([w for w in app.workers if w.group == "poll"]) == len(sources) + 3
        await wait_for(
            pilot,
            lambda: (
                planning.delivery(delivery_id(ok.id, "bank-vk")).state is DeliveryState.PUBLISHED
            ),
            "published by the engine",
        )
        await wait_for(pilot, lambda: any("bank-tg" in line for line, _ in said), "announced")
        assert planning.delivery(delivery_id(refused.id, "bank-tg")).state is DeliveryState.FAILED
        assert sources["bank-vk"].posts == ["Now on VK"]
