"""Who is replying: presence records shared through the store, and collision warnings."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from smm_tui.core.presence import PRESENCE_TTL, PresenceService, collision_warning
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import FakeChannel


def two_managers(store: Store, clock: FakeClock, alive: set[str]) -> tuple[Workspace, Workspace]:
    def workspace(actor: str, owner: str) -> Workspace:
        return Workspace(
            store,
            actor=actor,
            sources={},
            clock=clock,
            owner=owner,
            owner_alive=lambda who: who in alive,
        )

    return workspace("anna", "host:1"), workspace("boris", "host:2")


def test_each_sees_the_other_replying_until_they_stop(store: Store, clock: FakeClock) -> None:
    anna, boris = two_managers(store, clock, alive={"host:1", "host:2"})
    mention = make_mention(1)
    asyncio.run(boris.presence.announce(mention.id))

    assert [p.user for p in anna.presence.others(mention.id)] == ["boris"]
    assert anna.presence.busy() == {mention.id: ["boris"]}
    assert boris.presence.others(mention.id) == [], "we are not 'someone else'"

    boris.presence.withdraw_soon(mention.id)
    store.refresh().result(timeout=5)
    assert anna.presence.others(mention.id) == []


def test_a_silent_or_dead_replier_no_longer_counts(store: Store, clock: FakeClock) -> None:
    alive = {"host:1", "host:2"}
    anna, boris = two_managers(store, clock, alive)
    mention = make_mention(1)
    asyncio.run(boris.presence.announce(mention.id))
    clock.advance((PRESENCE_TTL + timedelta(seconds=1)).total_seconds())
    assert anna.presence.others(mention.id) == [], "no heartbeat for too long"

    asyncio.run(boris.presence.announce(mention.id))
    assert anna.presence.others(mention.id) != []
    alive.discard("host:2")
    assert anna.presence.others(mention.id) == [], "its process died"


def test_collision_warnings(store: Store, clock: FakeClock) -> None:
    anna, boris = two_managers(store, clock, alive={"host:1", "host:2"})
    mention = make_mention(1)
    asyncio.run(anna.ingest.ingest([mention]))
    assert collision_warning(anna.presence, mention.id) is None

    asyncio.run(boris.presence.announce(mention.id))
    assert collision_warning(anna.presence, mention.id) == "boris is replying too."

    asyncio.run(boris.outbox.queue(mention.id, "Fixed!"))
    assert collision_warning(anna.presence, mention.id) == "boris already replied to this mention."


def test_a_follow_up_is_warned_only_of_other_follow_ups(store: Store, clock: FakeClock) -> None:
    anna, boris = two_managers(store, clock, alive={"host:1", "host:2"})
    mention = make_mention(1)
    asyncio.run(anna.ingest.ingest([mention]))
    ticket = asyncio.run(anna.tickets.open([mention.id]))
    first = asyncio.run(boris.outbox.queue(mention.id, "Sorry, we are on it"))
    asyncio.run(boris.outbox.send(first.id, FakeChannel()))
    assert collision_warning(anna.presence, mention.id, ticket.id) is None, "the first answer"

    reply = asyncio.run(boris.outbox.queue(mention.id, "Fixed!", ticket_id=ticket.id))
    assert reply.ticket_id == ticket.id
    warning = collision_warning(anna.presence, mention.id, ticket.id)
    assert warning == "boris already followed this ticket up."


def test_presence_is_never_our_own(store: Store, clock: FakeClock) -> None:
    anna, _ = two_managers(store, clock, alive={"host:1", "host:2"})
    assert isinstance(anna.presence, PresenceService)
    asyncio.run(anna.presence.announce("m1"))
    assert anna.presence.others("m1") == []


def test_records_of_the_dead_are_cleared_by_the_living(store: Store, clock: FakeClock) -> None:
    alive = {"host:1", "host:2"}
    anna, boris = two_managers(store, clock, alive)
    asyncio.run(boris.presence.announce("m1"))
    alive.discard("host:2")  # boris's terminal was killed: nothing withdrew it
    asyncio.run(anna.presence.announce("m2"))
    owners = {r["owner"] for r in store.records(Collection.PRESENCE)}
    assert owners == {"host:1"}
