"""The incident sender: paced per account, rate limits honoured, pauses obeyed, none twice.

The clock is a :class:`FakeClock` and the sender's sleep moves it, so pacing is checked
on the times of the sends without any real waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, cast

import pytest

from smm_tui.core.incident_sender import IncidentSender, SendEvent
from smm_tui.core.incidents import Incident, reply_id_for
from smm_tui.core.models import Mention, Platform, ReplyState, to_iso
from smm_tui.core.network import PublishedReply, RateLimited, TransientError
from smm_tui.core.pacing import Pace
from smm_tui.core.repository import ChangeSet, Collection, Record, Repository
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import NoPublishing, our_reply_in, run

OUTAGE = "The app is down again, I cannot log in to pay my bills"
#: Three a minute, and 5 s between two.
PACE = Pace(3, timedelta(minutes=1), timedelta(seconds=5))
#: Real seconds a long-running sender is given to do what a test waits for.
DEADLINE = 60.0


class Channel(NoPublishing):
    """One account on a network: it publishes into threads it can show, and remembers when."""

    def __init__(self, account: str, clock: FakeClock) -> None:
        self.account = account
        self.clock = clock
        self.idempotent_replies = False
        self.sends: list[tuple[float, str]] = []
        self.failures: list[Exception] = []
        self.published: dict[str, list[str]] = {}

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return tuple(
            dataclasses.replace(
                make_mention(900, text=text, parent_external_id=mention.external_id),
                external_id=f"r-{mention.external_id}-{n}",
            )
            for n, text in enumerate(self.published.get(mention.external_id, []))
        )

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        return our_reply_in(await self.fetch_thread(mention), mention, text)

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        self.sends.append((self.clock.now.timestamp(), mention.external_id))
        if self.failures:
            raise self.failures.pop(0)
        self.published.setdefault(mention.external_id, []).append(text)
        return PublishedReply(f"r-{mention.external_id}", f"https://example.org/{mention.id}")

    def gaps(self) -> list[float]:
        times = [at for at, _ in self.sends]
        return [later - earlier for earlier, later in itertools.pairwise(times)]


class Setup:
    """A workspace with an incident of ``count`` complaints on each of the accounts."""

    def __init__(self, workspace: Workspace, clock: FakeClock, accounts: dict[str, Platform]):
        self.workspace, self.clock = workspace, clock
        self.channels = {name: Channel(name, clock) for name in accounts}
        workspace.outbox._sleep = self.sleep
        workspace.outbox.retry_delays = ()
        self.accounts = accounts
        self.events: list[SendEvent] = []

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def incident(self, count: int) -> Incident:
        mentions = [
            make_mention(
                n * 10 + index,
                text=f"{OUTAGE} #{n}",
                account=account,
                platform=platform,
                external_id=f"{account}-{n}",
            )
            for n in range(count)
            for index, (account, platform) in enumerate(self.accounts.items())
        ]
        run(self.workspace.ingest.ingest(mentions))
        incident = run(self.workspace.incidents.open("", [m.id for m in mentions]))
        run(self.workspace.incidents.queue_replies(incident.id, "We are fixing it."))
        return incident

    def sender(self, paces: dict[Platform, Pace] | None = None) -> IncidentSender:
        return IncidentSender(
            self.workspace.ctx,
            self.workspace.outbox,
            self.workspace.incidents,
            self.channels,
            paces or dict.fromkeys(self.accounts.values(), PACE),
            sleep=self.sleep,
        )

    def send_all(self, sender: IncidentSender | None = None, **options: object):  # type: ignore[no-untyped-def]
        return run((sender or self.sender()).send_all(self.events.append, **options))  # type: ignore[arg-type]


def test_each_account_is_paced_and_every_member_answered_once(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK, "bank-x": Platform.X})
    incident = setup.incident(7)
    report = setup.send_all()
    assert report.sent == 14 and not report.failed
    for channel in setup.channels.values():
        assert sorted(external for _, external in channel.sends) == sorted(
            f"{channel.account}-{n}" for n in range(7)
        ), "each member once, in its own thread"
        assert min(channel.gaps()) >= 5, "the gap between two sends"
        times = [at for at, _ in channel.sends]
        assert all(times[i + 3] - times[i] >= 60 for i in range(len(times) - 3)), "3 a minute"
    progress = workspace.incidents.progress(incident.id)
    assert progress.sent == 14 and progress.done
    counts = [e.progress.sent for e in setup.events]
    assert counts == sorted(counts) and counts[-1] == 14, "progress after each reply"
    assert setup.send_all().sent == 0, "nothing twice"


def test_accounts_are_sent_to_side_by_side(workspace: Workspace, clock: FakeClock) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK, "bank-x": Platform.X})
    setup.incident(2)
    setup.send_all()
    order = [e.reply.account for e in setup.events]
    assert order[:2] in (["bank-vk", "bank-x"], ["bank-x", "bank-vk"]), order


def test_a_rate_limit_is_waited_out_and_the_reply_sent_again_by_itself(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    incident = setup.incident(4)
    channel = setup.channels["bank-vk"]
    until = clock.now + timedelta(minutes=10)
    channel.failures = [RateLimited("slow down", until)]
    report = setup.send_all()
    assert report.sent == 4 and setup.events[0].reply.retry_at == until, "kept on the reply"
    _, *rest = [at for at, _ in channel.sends]
    assert all(at >= until.timestamp() for at in rest), "nothing before the limit's end"
    assert [external for _, external in channel.sends].count("bank-vk-0") == 2
    assert sum(len(texts) for texts in channel.published.values()) == 4
    assert workspace.incidents.progress(incident.id).sent == 4


def test_a_stored_rate_limit_holds_for_a_sender_that_starts_afresh(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    incident = setup.incident(2)
    until = clock.now + timedelta(minutes=30)
    [first, _] = incident.members
    fields = {"state": ReplyState.FAILED.value, "retry_at": to_iso(until), "error": "limit"}
    workspace.repo.commit(
        ChangeSet().patch(Collection.REPLIES, reply_id_for(incident.id, first), fields)
    )
    setup.send_all()
    channel = setup.channels["bank-vk"]
    assert len(channel.sends) == 2 and channel.sends[0][0] >= until.timestamp()


def test_a_pause_stops_the_sending_before_the_next_reply(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    incident = setup.incident(5)
    sender = setup.sender()

    def pause_after_two(event: SendEvent) -> None:
        setup.events.append(event)
        if len(setup.events) == 2:
            workspace.repo.commit(
                ChangeSet().patch(Collection.INCIDENTS, incident.id, {"paused": True})
            )

    run(sender.send_all(pause_after_two))
    assert len(setup.channels["bank-vk"].sends) == 2
    assert workspace.incidents.progress(incident.id).queued == 3
    run(workspace.incidents.resume(incident.id))
    assert run(sender.send_all(setup.events.append)).sent == 3


def test_a_reply_left_sending_by_a_dead_process_is_found_in_its_thread_not_sent_again(
    store: Store, clock: FakeClock
) -> None:
    workspace = Workspace(
        store, actor="alice", sources={}, clock=clock, owner_alive=lambda o: o != "gone:1"
    )
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    incident = setup.incident(2)
    first = incident.members[0]
    mention = workspace.ctx.mention(first)
    channel = setup.channels["bank-vk"]
    channel.published[mention.external_id] = ["We are fixing it."]
    claim = {"state": "sending", "claimed_by": "gone:1", "claimed_at": to_iso(clock.now)}
    workspace.repo.commit(
        ChangeSet().patch(Collection.REPLIES, reply_id_for(incident.id, first), claim)
    )
    assert setup.send_all().sent == 2
    assert [external for _, external in channel.sends] == ["bank-vk-1"], "not posted again"


def test_a_failure_waits_for_a_person_and_a_person_s_run_retries_it_once(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    incident = setup.incident(2)
    channel = setup.channels["bank-vk"]
    channel.failures = [TransientError("timed out after sending")]
    report = setup.send_all()
    assert report.sent == 1 and len(report.failed) == 1
    assert workspace.incidents.progress(incident.id).failed == 1
    assert setup.send_all().sent == 0, "the poller's sender leaves it to a person"
    assert setup.send_all(retry_failed=True).sent == 1
    assert sum(len(texts) for texts in channel.published.values()) == 2


def test_the_follow_up_of_a_resolved_incident_goes_out(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    incident = setup.incident(2)
    setup.send_all()
    run(workspace.incidents.resolve(incident.id))
    run(workspace.incidents.queue_replies(incident.id, "It works again.", follow_up=True))
    assert setup.send_all(incident_id=incident.id).sent == 2
    texts = [text for texts in setup.channels["bank-vk"].published.values() for text in texts]
    assert texts.count("It works again.") == 2
    assert workspace.incidents.progress(incident.id).done


def test_replies_to_an_account_without_an_adapter_are_reported(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    setup.incident(1)
    setup.channels.clear()
    assert setup.send_all().no_account == {"bank-vk"}


def test_overlapping_incidents_answer_and_follow_up_each_mention_once(
    workspace: Workspace, clock: FakeClock
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    first = setup.incident(3)
    others = [
        make_mention(100 + n, text=f"{OUTAGE} #{10 + n}", account="bank-vk", external_id=f"o-{n}")
        for n in range(2)
    ]
    run(workspace.ingest.ingest(others))
    incidents = workspace.incidents
    second = run(incidents.open("", [*first.members[1:], *(m.id for m in others)]))
    second = run(incidents.add(second.id, first.members[:1]))
    assert second.members == tuple(m.id for m in others), "the first's members stay its own"
    run(incidents.queue_replies(second.id, "We are fixing it."))
    assert setup.send_all().sent == 5
    for incident, text in ((first, "Fixed (1)."), (second, "Fixed (2).")):
        run(incidents.resolve(incident.id))
        run(incidents.queue_replies(incident.id, text, follow_up=True))
    assert setup.send_all().sent == 5
    published = setup.channels["bank-vk"].published
    assert len(published) == 5
    assert all(len(texts) == 2 and texts[0] == "We are fixing it." for texts in published.values())


class Watched:
    """The store, counting the walks through every reply stored; ``fail_next`` makes the
    next walk through the incidents raise it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reply_walks = 0
        self.fail_next: Exception | None = None

    def records(self, collection: Collection) -> Iterator[Record]:
        if collection is Collection.REPLIES:
            self.reply_walks += 1
        if collection is Collection.INCIDENTS and self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return self.store.records(collection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def watched_workspace(store: Store, clock: FakeClock) -> tuple[Workspace, Watched]:
    watched = Watched(store)
    return Workspace(cast(Repository, watched), actor="alice", sources={}, clock=clock), watched


def test_progress_and_sending_read_replies_by_id_never_every_reply_stored(
    store: Store, clock: FakeClock
) -> None:
    workspace, watched = watched_workspace(store, clock)
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    incident = setup.incident(6)
    watched.reply_walks = 0
    assert workspace.incidents.progress(incident.id).queued == 6
    assert watched.reply_walks == 0
    assert setup.send_all().sent == 6
    assert [e.progress.sent for e in setup.events] == [1, 2, 3, 4, 5, 6]
    assert watched.reply_walks == 1, "once, for the account's pace: not once a reply"


def sent_count(setup: Setup) -> Callable[[], int]:
    channel = setup.channels["bank-vk"]
    return lambda: sum(len(texts) for texts in channel.published.values())


async def run_until(
    sender: IncidentSender, done: Callable[[], bool], errors: list[tuple[str, BaseException]]
) -> None:
    """Run the long-running sender until ``done`` (each look moves the fake clock).

    The store's writes finish on its writer thread, so how many turns of the event
    loop that takes depends on the machine: the wait is bounded in real time.
    """
    task = asyncio.create_task(sender.run(lambda _: None, lambda *error: errors.append(error)))
    try:
        async with asyncio.timeout(DEADLINE):
            while not (done() or task.done()):
                await asyncio.sleep(0)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert done()


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_worker_stopped_by_an_unexpected_error_is_logged_once_and_sending_goes_on(
    workspace: Workspace, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    setup.incident(3)
    failure = RuntimeError("the adapter broke")
    setup.channels["bank-vk"].failures = [failure]
    errors: list[tuple[str, BaseException]] = []
    run(run_until(setup.sender(), lambda: sent_count(setup)() >= 2, errors))
    assert errors == [("bank-vk", failure)]
    [logged] = errors_logged(caplog)
    assert "bank-vk" in logged.getMessage() and logged.exc_info is not None
    assert logged.exc_info[1] is failure


def test_looking_for_work_survives_an_unexpected_error_and_sends_at_the_next_look(
    store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    workspace, watched = watched_workspace(store, clock)
    setup = Setup(workspace, clock, {"bank-vk": Platform.VK})
    setup.incident(2)
    failure = watched.fail_next = RuntimeError("an incident record is unreadable")
    errors: list[tuple[str, BaseException]] = []
    run(run_until(setup.sender(), lambda: sent_count(setup)() >= 2, errors))
    assert errors == [("", failure)]
    [logged] = errors_logged(caplog)
    assert logged.exc_info is not None and logged.exc_info[1] is failure
