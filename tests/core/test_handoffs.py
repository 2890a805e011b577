"""Handing tickets to departments: recorded first, sent once, retried only when safe."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from smm_tui.core.handoffs import HandoffState, NoHandoff
from smm_tui.core.models import TicketColumn
from smm_tui.core.network import (
    AuthError,
    HandoffChannel,
    HandoffMessage,
    NotSent,
    RateLimited,
    TransientError,
)
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import audit, run


class Department:
    """A channel that records what it delivered and fails as told."""

    def __init__(self, kind: str = "webhook") -> None:
        self.kind = kind
        self.target = "hooks.example"
        self.delivered: list[HandoffMessage] = []
        self.failures: list[Exception] = []

    async def deliver(self, message: HandoffMessage) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(message)
        return "HTTP 200"


@pytest.fixture
def cards() -> Department:
    return Department()


@pytest.fixture
def desk(store: Store, clock: FakeClock, cards: Department) -> Workspace:
    def lookup(department: str) -> HandoffChannel | str:
        return cards if department == "Cards" else f"{department} has no handoff"

    return Workspace(store, actor="alice", sources={}, clock=clock, handoff_channels=lookup)


def ticket_in(workspace: Workspace, department: str = "Cards", note: str = "", n: int = 1) -> str:
    mention = make_mention(n, url=f"https://vk.com/wall-1_1?reply={n}")
    run(workspace.ingest.ingest([mention]))
    return run(workspace.tickets.open([mention.id], department=department, note=note)).id


def test_a_handoff_is_recorded_then_delivered_once(desk: Workspace, cards: Department) -> None:
    ticket_id = ticket_in(desk, note="VIP, called twice")
    handoff = run(desk.handoffs.hand_over(ticket_id))
    assert handoff.state is HandoffState.QUEUED
    ticket = desk.tickets.get(ticket_id)
    assert ticket.handoff_id == handoff.id
    assert ticket.column is TicketColumn.WAITING
    sent = run(desk.handoffs.send(handoff.id))
    again = run(desk.handoffs.send(handoff.id))
    assert sent.state is again.state is HandoffState.SENT
    assert sent.receipt == "HTTP 200"
    assert len(cards.delivered) == 1
    message = cards.delivered[0]
    assert message.key == handoff.id
    assert message.payload["ref"] == "T-2026-0001"
    assert message.payload["customer"]["handle"] == "user1"
    assert message.payload["mentions"][0]["url"] == "https://vk.com/wall-1_1?reply=1"
    assert message.payload["note"] == "VIP, called twice"
    assert "T-2026-0001 · Cards" in message.text
    assert message.subject.startswith("T-2026-0001: Mention number 1")
    assert "handed over" in [e.action for e in audit(desk)]


def test_a_ticket_without_a_department_or_channel_is_refused(desk: Workspace) -> None:
    with pytest.raises(NoHandoff, match="no department"):
        run(desk.handoffs.hand_over(ticket_in(desk, department="")))
    with pytest.raises(NoHandoff, match="Fraud has no handoff"):
        run(desk.handoffs.hand_over(ticket_in(desk, department="Fraud", n=2)))
    assert list(desk.repo.records(Collection.HANDOFFS)) == []


def test_a_failure_before_sending_is_retried_later_by_itself(
    desk: Workspace, cards: Department, clock: FakeClock
) -> None:
    cards.failures = [NotSent("Cards: hooks.example refused the connection")]
    handoff = run(desk.handoffs.hand_over(ticket_in(desk)))
    failed = run(desk.handoffs.send(handoff.id))
    assert failed.state is HandoffState.FAILED
    assert failed.error == "Cards: hooks.example refused the connection"
    assert failed.retry_at == clock.now + timedelta(minutes=1)
    assert desk.handoffs.due(clock.now) == []
    clock.advance(61)
    assert [h.id for h in desk.handoffs.due(clock.now)] == [handoff.id]
    report = run(desk.casework().pass_once(reviews=False))
    assert [h.state for h in report.handoffs] == [HandoffState.SENT]
    assert len(cards.delivered) == 1


def test_an_email_that_may_have_gone_waits_for_a_person(
    desk: Workspace, cards: Department, clock: FakeClock
) -> None:
    cards.kind = "email"
    cards.failures = [TransientError("Cards: the server hung up after DATA")]
    handoff = run(desk.handoffs.hand_over(ticket_in(desk)))
    failed = run(desk.handoffs.send(handoff.id))
    assert failed.uncertain and failed.retry_at is None
    assert "may have been delivered" in (failed.error or "")
    clock.advance(3600 * 24)
    assert desk.handoffs.due(clock.now) == []
    assert run(desk.handoffs.resend(handoff.id)).state is HandoffState.SENT


def test_a_webhook_that_may_have_gone_is_sent_again(
    desk: Workspace, cards: Department, clock: FakeClock
) -> None:
    cards.failures = [TransientError("Cards: hooks.example answered 502")]
    handoff = run(desk.handoffs.hand_over(ticket_in(desk)))
    assert run(desk.handoffs.send(handoff.id)).uncertain
    clock.advance(61)
    report = run(desk.casework().pass_once(reviews=False))
    assert [h.state for h in report.handoffs] == [HandoffState.SENT]
    assert [m.key for m in cards.delivered] == [handoff.id], "the same key: receivers drop repeats"


def test_a_refusal_is_final_and_a_rate_limit_waits_its_time(
    desk: Workspace, cards: Department, clock: FakeClock
) -> None:
    cards.failures = [AuthError("Cards: hooks.example answered 401")]
    handoff = run(desk.handoffs.hand_over(ticket_in(desk)))
    assert run(desk.handoffs.send(handoff.id)).retry_at is None
    later = clock.now + timedelta(minutes=30)
    cards.failures = [RateLimited("Cards: slow down", later)]
    assert run(desk.handoffs.resend(handoff.id)).retry_at == later


def test_the_retries_stop_after_the_last_delay(
    desk: Workspace, cards: Department, clock: FakeClock
) -> None:
    cards.failures = [NotSent("down")] * 5
    handoff = run(desk.handoffs.hand_over(ticket_in(desk)))
    waits = []
    for _ in range(5):
        failed = run(desk.handoffs.send(handoff.id))
        waits.append(None if failed.retry_at is None else failed.retry_at - clock.now)
        clock.advance(3600 * 2)
    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
        None,
    ]


def test_a_handoff_interrupted_mid_send_is_never_sent_twice_silently(
    desk: Workspace, cards: Department
) -> None:
    handoff = run(desk.handoffs.hand_over(ticket_in(desk)))
    claim = {"state": "sending", "claimed_by": "host:1", "claimed_at": "2026-01-01T00:00:00Z"}
    desk.repo.commit(ChangeSet().patch(Collection.HANDOFFS, handoff.id, claim))
    settled = run(desk.handoffs.send(handoff.id))
    assert settled.state is HandoffState.FAILED and settled.uncertain
    assert cards.delivered == []


def test_a_handoff_recorded_before_a_restart_is_delivered_after_it(
    tmp_path: Path, clock: FakeClock, cards: Department
) -> None:
    def lookup(department: str) -> HandoffChannel | str:
        return cards

    with Store.open(tmp_path / "data") as first:
        before = Workspace(first, actor="alice", sources={}, clock=clock, handoff_channels=lookup)
        handoff = run(before.handoffs.hand_over(ticket_in(before)))
    assert cards.delivered == [], "the app ended before delivering it"
    with Store.open(tmp_path / "data") as second:
        after = Workspace(second, actor="bob", sources={}, clock=clock, handoff_channels=lookup)
        report = run(after.casework().pass_once(reviews=False))
        assert [h.id for h in report.handoffs] == [handoff.id]
        assert after.handoffs.get(handoff.id).state is HandoffState.SENT
    assert [m.key for m in cards.delivered] == [handoff.id]


def test_a_ticket_is_handed_over_once_at_a_time(desk: Workspace, cards: Department) -> None:
    ticket_id = ticket_in(desk)
    first = run(desk.handoffs.hand_over(ticket_id))
    with pytest.raises(NoHandoff, match="on its way"):
        run(desk.handoffs.hand_over(ticket_id))
    run(desk.handoffs.send(first.id))
    again = run(desk.handoffs.hand_over(ticket_id))
    assert (first.id, again.id) == (f"{ticket_id}-h1", f"{ticket_id}-h2")
    assert desk.tickets.get(ticket_id).handoff_id == again.id


def test_a_channel_that_breaks_leaves_the_handoff_for_a_person(
    desk: Workspace, cards: Department
) -> None:
    cards.failures = [UnicodeEncodeError("ascii", "пароль", 0, 1, "not ascii")]
    handoff = run(desk.handoffs.hand_over(ticket_in(desk)))
    failed = run(desk.handoffs.send(handoff.id))
    assert failed.state is HandoffState.FAILED and failed.uncertain
    assert failed.retry_at is None and "UnicodeEncodeError" in (failed.error or "")
