"""One contract for edits and deletions of tracked mentions, five networks.

Each adapter reports what became of the mentions it is asked about: an edit
with the new text, a deletion, nothing for a mention nobody tracks, and nothing
twice. VK and Telegram push such events (they arrive while mentions are
fetched); the others are asked again. What a network cannot show, its
adapter's ``change_note`` says in words. The tests change the fakes' mentions
as their authors would (:meth:`FakeNetwork.edit_mention`, ``delete_mention``),
fetch mentions as a poll does, then look for changes.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from smm_tui.adapters.base import Adapter
from smm_tui.core.models import Mention, Platform, RevisionKind
from smm_tui.core.network import MentionChange
from smm_tui.core.sanitize import clean_text
from tests.adapters.changes_kit import look, tracked
from tests.fakes.base import FakeNetwork

#: The networks that push edits and deletions rather than being asked again.
PUSHING = frozenset({Platform.VK, Platform.TELEGRAM})
NEW_TEXT = "Update: the money is back, thank you!"
#: Rich markup and an action, an escape sequence, HTML, an entity, format fields, a bidi override.
HOSTILE = "[bold red]x[/] \x1b[2J<b>&amp;</b> [@click=app.quit]y[/] {0} %s \u202e!"


def applied(mention: Mention, change: MentionChange) -> Mention:
    """``mention`` as the core stores it once ``change`` is applied."""
    if change.kind is RevisionKind.DELETED:
        return dataclasses.replace(mention, deleted_at=datetime.now(UTC))
    assert change.text is not None
    return dataclasses.replace(mention, text=clean_text(change.text), deleted_at=None)


def change_of(fake: FakeNetwork, external_id: str) -> RevisionKind:
    """Change a mention the way the network lets an adapter see: an edit where it can."""
    if fake.shows_edits:
        fake.edit_mention(external_id, NEW_TEXT)
        return RevisionKind.EDITED
    fake.delete_mention(external_id)
    return RevisionKind.DELETED


async def test_an_edit_is_seen_with_its_new_text(fake: FakeNetwork, adapter: Adapter) -> None:
    if not fake.shows_edits:
        pytest.skip(f"{fake.platform.value} posts cannot be edited")
    [mention], cursor = await tracked(fake, adapter, "You charged me twice!")

    edited_id = fake.edit_mention(mention.external_id, NEW_TEXT)
    [change] = await look(adapter, cursor, [mention])

    assert (change.external_id, change.kind) == (mention.external_id, RevisionKind.EDITED)
    assert change.text is not None and NEW_TEXT in change.text
    moved = edited_id != mention.external_id
    assert change.new_external_id == (edited_id if moved else None)


async def test_a_deletion_is_seen(fake: FakeNetwork, adapter: Adapter) -> None:
    if not fake.shows_deletions:
        pytest.skip(f"{fake.platform.value} does not tell of deletions")
    [mention], cursor = await tracked(fake, adapter, "You charged me twice!")

    fake.delete_mention(mention.external_id)
    [change] = await look(adapter, cursor, [mention])

    assert (change.external_id, change.kind) == (mention.external_id, RevisionKind.DELETED)
    assert change.text is None and change.new_external_id is None


async def test_what_a_network_cannot_show_is_said_in_words(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    [mention], cursor = await tracked(fake, adapter, "You charged me twice!")

    if fake.shows_edits and fake.shows_deletions:
        assert adapter.change_note == ""
        return
    assert adapter.change_note
    unseen = "deleted" if not fake.shows_deletions else "edited"
    assert unseen in adapter.change_note
    if not fake.shows_deletions:
        fake.delete_mention(mention.external_id)
        assert await look(adapter, cursor, [mention]) == ()


async def test_a_change_to_an_untracked_mention_is_not_reported(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    (watched, other), cursor = await tracked(fake, adapter, "Card blocked again", "Same here")

    kind = change_of(fake, other.external_id)

    assert await look(adapter, cursor, [watched]) == ()
    [change] = await adapter.fetch_changes([other])  # it waited for its own look
    assert (change.external_id, change.kind) == (other.external_id, kind)


async def test_nothing_is_reported_twice(fake: FakeNetwork, adapter: Adapter) -> None:
    [mention], cursor = await tracked(fake, adapter, "You charged me twice!")
    change_of(fake, mention.external_id)
    [change] = await look(adapter, cursor, [mention])

    assert await look(adapter, cursor, [applied(mention, change)]) == ()
    if fake.platform in PUSHING:  # an event is handed over once, whatever the store holds
        assert await look(adapter, cursor, [mention]) == ()


async def test_hostile_text_in_an_edit_comes_back_as_plain_data(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    if not fake.shows_edits:
        pytest.skip(f"{fake.platform.value} posts cannot be edited")
    [mention], cursor = await tracked(fake, adapter, "Where is my refund?")

    fake.edit_mention(mention.external_id, HOSTILE)
    [change] = await look(adapter, cursor, [mention])

    assert change.text is not None and HOSTILE in change.text
