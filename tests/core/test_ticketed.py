"""A ticketed mention keeps the customer waiting visible until they are answered (issue 12, 2)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from smm_tui.core import acknowledge, report, sla
from smm_tui.core.models import Mention, Status, TicketColumn
from smm_tui.core.network import PublishedReply
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store import layout, migrations
from smm_tui.store.storage import AtomicJSONStorage
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock, make_mention

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class Channel:
    """Publishes every reply it is given."""

    account = "bank-vk"
    idempotent_replies = False

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return ()

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        return None

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        return PublishedReply(f"r-{mention.external_id}", f"https://vk.com/r-{mention.external_id}")


def answer(workspace: Workspace, mention_id: str) -> None:
    reply = run(workspace.outbox.queue(mention_id, "We are on it"))
    run(workspace.outbox.send(reply.id, Channel()))


def in_queue(workspace: Workspace, mention_id: str) -> bool:
    return mention_id in list(workspace.feed_model().ids)


def test_a_ticketed_mention_stays_in_the_queue_with_its_clock_running(
    workspace: Workspace, clock: FakeClock
) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    run(workspace.tickets.open([mention.id], department="Cards"))
    stored = workspace.ctx.mention(mention.id)
    assert stored.status is Status.TICKETED
    assert in_queue(workspace, mention.id)
    clock.advance(3600)
    assert sla.state(stored, clock.now) is sla.SlaState.BREACHED
    assert any(r["id"] == mention.id for r in workspace.repo.open_mentions())

    answer(workspace, mention.id)
    answered = workspace.ctx.mention(mention.id)
    assert answered.status is Status.REPLIED and answered.ticket_id is not None
    assert not in_queue(workspace, mention.id)
    run(workspace.tickets.move(answered.ticket_id, TicketColumn.RESOLVED))
    assert workspace.ctx.mention(mention.id).status is Status.REPLIED


def test_resolving_the_ticket_of_an_unanswered_mention_asks_to_answer_the_customer(
    workspace: Workspace, clock: FakeClock
) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    ticket = run(workspace.tickets.open([mention.id]))
    run(workspace.tickets.move(ticket.id, TicketColumn.RESOLVED))
    follow_up = workspace.ctx.mention(mention.id)
    assert follow_up.status is Status.FOLLOW_UP
    assert in_queue(workspace, mention.id)
    clock.advance(3600)
    rows = report.build([follow_up], now=clock.now)
    assert rows[0].overdue == 1 and rows[0].within_share == 0.0

    # Taken out of Resolved, it is ticketed again; resolved again, still follow-up.
    run(workspace.tickets.move(ticket.id, TicketColumn.WAITING))
    assert workspace.ctx.mention(mention.id).status is Status.TICKETED
    run(workspace.tickets.move(ticket.id, TicketColumn.RESOLVED))
    answer(workspace, mention.id)
    assert workspace.ctx.mention(mention.id).status is Status.DONE
    assert not in_queue(workspace, mention.id)


def test_an_answered_mention_ticketed_later_is_closed_with_its_ticket(
    workspace: Workspace,
) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    answer(workspace, mention.id)
    ticket = run(workspace.tickets.open([mention.id]))
    assert workspace.ctx.mention(mention.id).status is Status.REPLIED
    run(workspace.tickets.move(ticket.id, TicketColumn.RESOLVED))
    assert workspace.ctx.mention(mention.id).status is Status.REPLIED


def test_the_acknowledgement_is_in_the_mentions_language_and_becomes_its_draft(
    workspace: Workspace,
) -> None:
    russian = make_mention(1, language="ru", text="Карту заблокировали")
    arabic = make_mention(2, text="لم تصل البطاقة")
    english = make_mention(3, language="en")
    assert acknowledge.acknowledgement(russian).startswith("Спасибо")
    assert acknowledge.acknowledgement(arabic) == acknowledge.ACKNOWLEDGEMENTS["ar"]
    assert acknowledge.acknowledgement(english).startswith("Thank you")
    assert all("\n" not in text for text in acknowledge.ACKNOWLEDGEMENTS.values())

    run(workspace.ingest.ingest([russian, english]))
    assert run(acknowledge.offer(workspace.outbox, workspace.ctx.mention(russian.id)))
    draft = workspace.outbox.draft(russian.id)
    assert draft is not None and draft.text == acknowledge.ACKNOWLEDGEMENTS["ru"]
    run(workspace.outbox.save_draft(russian.id, "my own words"))
    assert run(acknowledge.offer(workspace.outbox, workspace.ctx.mention(russian.id)))
    kept = workspace.outbox.draft(russian.id)
    assert kept is not None and kept.text == "my own words"
    answer(workspace, english.id)
    assert not run(acknowledge.offer(workspace.outbox, workspace.ctx.mention(english.id)))


def test_a_data_dir_with_archived_ticketed_mentions_opens_with_them_in_the_queue(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    waiting = make_mention(1, status=Status.TICKETED, ticket_id="t1", sla_due_at=T0)
    answered = make_mention(
        2, status=Status.TICKETED, ticket_id="t1", first_response_at=T0 + timedelta(minutes=3)
    )
    with Store.open(data) as store:
        store.commit(
            ChangeSet()
            .insert_new(Collection.MENTIONS, make_mention(3).to_record())
            .insert_new(Collection.MENTIONS, waiting.to_record())
            .insert_new(Collection.MENTIONS, answered.to_record())
        )
    # As version 2 kept them: every ticketed mention in its archive day.
    opened = AtomicJSONStorage(data / layout.OPEN_MENTIONS)
    tables = opened.read()
    assert tables is not None
    archive = AtomicJSONStorage(data / "mentions" / "archive-2026-11-26.json")
    archived = archive.read() or {"mentions": {}}
    for key in [k for k, r in tables["mentions"].items() if r["status"] == "ticketed"]:
        archived["mentions"][key] = tables["mentions"].pop(key)
    opened.write(tables)
    archive.write(archived)
    migrations.write_version(data, 2)

    with Store.open(data) as store:
        workspace = Workspace(store, actor="anna", sources={}, clock=FakeClock())
        assert {r["id"] for r in store.open_mentions()} == {make_mention(3).id, waiting.id}
        assert workspace.ctx.mention(waiting.id).status is Status.TICKETED
        assert workspace.ctx.mention(answered.id).status is Status.REPLIED
        assert in_queue(workspace, waiting.id)
    assert migrations.read_version(data) == migrations.SCHEMA_VERSION
