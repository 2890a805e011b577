"""Edits and deletions, network by network: what each one's events and answers say.

VK names who deleted a comment (``deleter_id``, or ``user_id`` in its schema)
and tells of restores; X gives an edited post a new id; Mastodon is asked
about a few tracked statuses at a time, in turns; Bluesky's blocked posts are
not deleted ones; Telegram tells of edits only. The demo edits or deletes a
tracked complaint now and then, the same on every run. The contract all five
networks share is ``test_changes_contract.py``.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from smm_tui.adapters.base import Adapter, RateLimited
from smm_tui.adapters.changes import ChangeBuffer, Rotation
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.adapters.demo_changes import QUIET_LOOKS, THANKS
from smm_tui.adapters.mastodon import CHANGES_PER_LOOK
from smm_tui.adapters.x_posts import missing_ids
from smm_tui.core.models import Author, Mention, Platform, RevisionKind, Sentiment
from smm_tui.core.network import MentionChange
from smm_tui.core.sanitize import clean_text
from tests.adapters import demo_kit
from tests.adapters.changes_kit import look, tracked
from tests.adapters.conftest import running_fake
from tests.fakes.base import FakeNetwork, Fault
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import FakeTelegram
from tests.fakes.vk import FakeVK
from tests.fakes.vk_wall import GROUP_ID
from tests.fakes.x import FakeX

F = TypeVar("F", bound=FakeNetwork)


def started(network: str, kind: type[F]) -> Iterator[F]:
    for fake in running_fake(network):
        assert isinstance(fake, kind)
        yield fake


@pytest.fixture
def vk() -> Iterator[FakeVK]:
    yield from started("vk", FakeVK)


@pytest.fixture
def x() -> Iterator[FakeX]:
    yield from started("x", FakeX)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    yield from started("mastodon", FakeMastodon)


@pytest.fixture
def bluesky() -> Iterator[FakeBluesky]:
    yield from started("bluesky", FakeBluesky)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    yield from started("telegram", FakeTelegram)


@pytest.fixture
async def adapter(request: pytest.FixtureRequest) -> AsyncIterator[Adapter]:
    """A real adapter on the one fake the test asks for."""
    fake = next(
        request.getfixturevalue(name)
        for name in ("vk", "x", "mastodon", "bluesky", "telegram")
        if name in request.fixturenames
    )
    made = fake.adapter()
    yield made
    await made.aclose()
    await fake.aclose()


# -- VK -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "deleter", "by"),
    [
        ("deleter_id", None, "author"),
        ("user_id", None, "author"),
        ("deleter_id", -GROUP_ID, "moderator"),
        ("user_id", 777000, "777000"),
        ("", None, ""),
    ],
)
async def test_vk_says_who_deleted_a_comment(
    vk: FakeVK, adapter: Adapter, field: str, deleter: int | None, by: str
) -> None:
    [mention], cursor = await tracked(vk, adapter, "Карту заблокировали!")

    vk.delete_mention(mention.external_id, deleter=deleter, field=field)
    [change] = await look(adapter, cursor, [mention])

    assert (change.kind, change.by) == (RevisionKind.DELETED, by)


async def test_vk_tells_of_a_restored_comment_after_its_deletion(
    vk: FakeVK, adapter: Adapter
) -> None:
    [mention], cursor = await tracked(vk, adapter, "Верните деньги [id1|Ивану]")

    vk.delete_mention(mention.external_id, deleter=-GROUP_ID)
    vk.restore_mention(mention.external_id)
    changes = await look(adapter, cursor, [mention])

    assert [(c.kind, c.text) for c in changes] == [
        (RevisionKind.DELETED, None),
        (RevisionKind.RESTORED, "Верните деньги Ивану"),  # VK's mention markup read as for mentions
    ]


async def test_vk_delivers_new_comments_and_changes_from_one_poll(
    vk: FakeVK, adapter: Adapter
) -> None:
    [mention], cursor = await tracked(vk, adapter, "Где мой заказ?")
    vk.edit_mention(mention.external_id, "Нашёлся, спасибо")
    newer = vk.add_mention("А у меня не нашёлся", author="bob")

    page = await adapter.fetch_mentions(cursor)
    again = await adapter.fetch_mentions(page.cursor)

    assert [m.external_id for m in page.mentions] == [newer]
    assert again.mentions == () and again.cursor == page.cursor
    [change] = await adapter.fetch_changes([mention])
    assert (change.kind, change.text, change.by) == (
        RevisionKind.EDITED,
        "Нашёлся, спасибо",
        "author",
    )


async def test_vk_skips_change_events_it_cannot_read_or_from_another_wall(
    vk: FakeVK, adapter: Adapter
) -> None:
    [mention], cursor = await tracked(vk, adapter, "Где мой заказ?")
    post, comment = (int(part) for part in mention.external_id.split("_"))
    vk.queue_event({"type": "wall_reply_edit", "event_id": "e1", "object": {"id": "x"}})
    elsewhere = {"owner_id": -1, "id": comment, "post_id": post, "deleter_id": 5}
    vk.queue_event({"type": "wall_reply_delete", "event_id": "e2", "object": elsewhere})
    vk.edit_mention(mention.external_id, "Нашёлся")

    changes = await look(adapter, cursor, [mention])

    assert [(c.kind, c.text) for c in changes] == [(RevisionKind.EDITED, "Нашёлся")]


def change(external_id: str, kind: RevisionKind = RevisionKind.EDITED) -> MentionChange:
    return MentionChange(external_id, kind, text="t")


def mention_with(external_id: str, text: str = "t") -> Mention:
    return Mention(
        platform=Platform.MASTODON,
        account="brand",
        external_id=external_id,
        author=Author("1", "@alice"),
        text=text,
        created_at=datetime(2025, 3, 1, tzinfo=UTC),
    )


def test_a_change_buffer_keeps_the_newest_and_each_event_once() -> None:
    buffer = ChangeBuffer(size=2)
    buffer.add("e1", change("a"))
    buffer.add("e2", change("b"))
    buffer.add("e2", change("b"))  # the same event drained again
    buffer.add(None, change("c"))

    assert len(buffer) == 2
    assert [c.external_id for c in buffer.take([mention_with("a"), mention_with("b")])] == ["b"]
    assert buffer.take([mention_with("b")]) == ()
    assert [c.external_id for c in buffer.take([mention_with("c")])] == ["c"]


def test_a_rotation_gives_every_tracked_mention_its_turn() -> None:
    rotation = Rotation()
    tracked = [mention_with(str(k)) for k in range(5)]
    seen: list[list[str]] = []
    for _ in range(3):
        due = rotation.due([*tracked, tracked[0]], 2)
        for mention in due:
            rotation.looked(mention)
        seen.append([m.external_id for m in due])

    assert seen == [["0", "1"], ["2", "3"], ["4", "0"]]


# -- X ------------------------------------------------------------------------------


@pytest.mark.parametrize("asked_version", [False, True])
async def test_x_names_the_edited_versions_new_id(
    x: FakeX, adapter: Adapter, asked_version: bool
) -> None:
    x.lookup_returns_asked_version = asked_version
    [mention], cursor = await tracked(x, adapter, "@acme_support charged twice")
    x.edit_mention(mention.external_id, "@acme_support sorted, thanks")
    newest = x.edit_mention(mention.external_id, "@acme_support sorted, thank you!")

    [change] = await look(adapter, cursor, [mention])

    assert change.new_external_id == newest
    assert change.text == "@acme_support sorted, thank you!"
    assert change.at == datetime.strptime(
        x.post(newest)["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ"
    ).replace(tzinfo=UTC)


async def test_x_reports_no_edit_whose_text_is_unchanged(x: FakeX, adapter: Adapter) -> None:
    [mention], cursor = await tracked(x, adapter, "@acme_support charged twice")
    x.edit_mention(mention.external_id, "@acme_support charged twice")

    assert await look(adapter, cursor, [mention]) == ()


async def test_x_sees_a_deleted_edit_chain(x: FakeX, adapter: Adapter) -> None:
    (kept, gone), cursor = await tracked(x, adapter, "@acme_support one", "@acme_support two")
    x.edit_mention(gone.external_id, "@acme_support two, edited")
    x.delete_mention(gone.external_id)

    changes = await look(adapter, cursor, [kept, gone])

    assert [(c.external_id, c.kind) for c in changes] == [(gone.external_id, RevisionKind.DELETED)]


def test_x_reads_only_posts_not_found_as_deleted() -> None:
    errors: list[Any] = [
        {"resource_id": "1", "type": "https://api.twitter.com/2/problems/resource-not-found"},
        {"value": "2", "title": "Not Found Error", "resource_type": "tweet"},
        {"value": "3", "title": "Not Found Error", "resource_type": "user"},
        {"resource_id": "4", "title": "Authorization Error", "type": "https://x/not-authorized"},
        "nonsense",
    ]

    assert missing_ids(errors) == {"1", "2"}
    assert missing_ids({"not": "a list"}) == set()


# -- Mastodon -----------------------------------------------------------------------


async def test_mastodon_asks_about_a_few_statuses_a_look_in_turns(
    mastodon: FakeMastodon, adapter: Adapter
) -> None:
    ids = [mastodon.add_mention(f"m{k}") for k in range(CHANGES_PER_LOOK + 5)]
    statuses = [mention_with(external_id, f"@brand m{k}") for k, external_id in enumerate(ids)]

    assert await adapter.fetch_changes(statuses) == ()
    first = _asked(mastodon)
    mastodon.edit_mention(ids[-1], "m-last, edited")
    changes = await adapter.fetch_changes(statuses)
    second = _asked(mastodon)[len(first) :]

    assert len(first) == len(second) == CHANGES_PER_LOOK
    assert set(first) | set(second) == set(ids)
    assert second[:5] == ids[CHANGES_PER_LOOK:]  # those not asked about yet go first
    assert [(c.external_id, c.text) for c in changes] == [(ids[-1], "@brand m-last, edited")]


def _asked(fake: FakeMastodon) -> list[str]:
    return [request.path.rsplit("/", 1)[1] for request in fake.requests("counters")]


async def test_mastodon_says_when_a_status_was_edited_and_not_who_deleted_one(
    mastodon: FakeMastodon, adapter: Adapter
) -> None:
    (edited, deleted), cursor = await tracked(mastodon, adapter, "slow app", "lost card")
    mastodon.edit_mention(edited.external_id, "fast app now")
    mastodon.delete_mention(deleted.external_id)

    first, second = await look(adapter, cursor, [edited, deleted])

    assert first.at is not None and abs(first.at - datetime.now(UTC)) < timedelta(minutes=1)
    assert (second.kind, second.by, second.at) == (RevisionKind.DELETED, "", None)


async def test_mastodon_rate_limit_ends_the_look(mastodon: FakeMastodon, adapter: Adapter) -> None:
    [mention], _ = await tracked(mastodon, adapter, "slow app")
    mastodon.fail("counters", Fault.RATE_LIMIT)

    with pytest.raises(RateLimited):
        await adapter.fetch_changes([mention])


# -- Bluesky ------------------------------------------------------------------------


async def test_bluesky_sees_a_not_found_node_as_a_deletion_and_a_block_as_nothing(
    bluesky: FakeBluesky, adapter: Adapter
) -> None:
    (gone, hidden), cursor = await tracked(bluesky, adapter, "app down", "still down")
    bluesky.delete_mention(gone.external_id, as_node=True)
    bluesky.block(hidden.external_id)

    changes = await look(adapter, cursor, [gone, hidden])

    assert [(c.external_id, c.kind) for c in changes] == [(gone.external_id, RevisionKind.DELETED)]
    assert adapter.change_note == "Bluesky posts cannot be edited; deletions are seen"


# -- Telegram -----------------------------------------------------------------------


async def test_telegram_hands_over_edits_with_their_time_and_never_a_deletion(
    telegram: FakeTelegram, adapter: Adapter
) -> None:
    (edited, deleted), cursor = await tracked(telegram, adapter, "где перевод?", "и мой")
    telegram.delete_mention(deleted.external_id)
    telegram.edit_mention(edited.external_id, "пришёл, спасибо")

    [change] = await look(adapter, cursor, [edited, deleted])

    assert (change.kind, change.text, change.by) == (
        RevisionKind.EDITED,
        "пришёл, спасибо",
        "author",
    )
    assert change.at is not None and abs(change.at - datetime.now(UTC)) < timedelta(minutes=1)
    assert adapter.change_note == "Telegram does not tell a bot when a message is deleted"


# -- demo ---------------------------------------------------------------------------


def complaints(adapter: DemoAdapter, clock: demo_kit.FakeClock, count: int) -> list[Mention]:
    stream = demo_kit.stream(adapter, clock, 200)
    found = [m for m in stream if m.sentiment is Sentiment.NEGATIVE]
    assert len(found) >= count
    return found[:count]


def looks(adapter: DemoAdapter, tracked: list[Mention], times: int) -> list[list[MentionChange]]:
    """What each of ``times`` looks finds, the tracked mentions updated as the core would."""
    found = []
    current = {m.external_id: m for m in tracked}
    for _ in range(times):
        changes = asyncio.run(adapter.fetch_changes(list(current.values())))
        found.append(list(changes))
        for change in changes:
            if change.kind is RevisionKind.DELETED:
                del current[change.external_id]
            else:
                text = clean_text(change.text or "")
                current[change.external_id] = dataclasses.replace(
                    current[change.external_id], text=text
                )
    return found


@pytest.mark.parametrize("network", [Platform.VK, Platform.TELEGRAM, Platform.BLUESKY])
def test_the_demo_changes_tracked_complaints_now_and_then_the_same_every_run(
    network: Platform,
) -> None:
    clocks = demo_kit.FakeClock(), demo_kit.FakeClock()
    one, two = (demo_kit.make(clock, network) for clock in clocks)
    tracked = complaints(one, clocks[0], 8)
    clocks[1].now = clocks[0].now

    first, second = looks(one, tracked, 30), looks(two, tracked, 30)

    assert first == second
    assert all(not changes for changes in first[:QUIET_LOOKS])
    made = [change for changes in first for change in changes]
    assert 2 <= len(made) <= len(tracked)
    assert len({c.external_id for c in made}) == len(made)  # each changes once
    language = {m.external_id: m.language for m in tracked}
    for change in made:
        if change.kind is RevisionKind.EDITED:
            assert change.text in THANKS[language[change.external_id]]
    kinds = {change.kind for change in made}
    assert (
        kinds
        <= {
            Platform.VK: {RevisionKind.EDITED, RevisionKind.DELETED},
            Platform.TELEGRAM: {RevisionKind.EDITED},
            Platform.BLUESKY: {RevisionKind.DELETED},
        }[network]
    )
    assert (one.change_note == "") is (network is Platform.VK)


def test_the_demo_stream_is_the_same_whether_changes_are_looked_for_or_not() -> None:
    clocks = demo_kit.FakeClock(), demo_kit.FakeClock()
    watched, plain = (demo_kit.make(clock) for clock in clocks)
    looks(watched, complaints(watched, clocks[0], 5), 20)

    seen = {m.external_id: demo_kit.content(m) for m in demo_kit.stream(watched, clocks[0], 300)}
    expected = {m.external_id: demo_kit.content(m) for m in demo_kit.stream(plain, clocks[1], 300)}

    shared = seen.keys() & expected.keys()
    assert len(shared) >= 300
    assert all(seen[key] == expected[key] for key in shared)
