"""How the change tests track a mention: a poll delivers it, a later poll drains events.

Used by ``test_changes_contract.py`` and ``test_changes_networks.py``.
"""

from __future__ import annotations

from smm_tui.adapters.base import Adapter
from smm_tui.core.models import Mention
from smm_tui.core.network import MentionChange
from tests.adapters import checks
from tests.fakes.base import FakeNetwork

__all__ = ["look", "tracked"]


async def tracked(fake: FakeNetwork, adapter: Adapter, *texts: str) -> tuple[list[Mention], str]:
    """Mentions with ``texts`` as a poll delivers them, and the cursor after them."""
    cursor = await checks.caught_up_cursor(adapter)
    ids = [fake.add_mention(text, author=f"customer{k}") for k, text in enumerate(texts)]
    page = await adapter.fetch_mentions(cursor)
    by_id = {mention.external_id: mention for mention in page.mentions}
    assert page.cursor is not None
    return [by_id[external_id] for external_id in ids], page.cursor


async def look(adapter: Adapter, cursor: str, mentions: list[Mention]) -> tuple[MentionChange, ...]:
    """A poll (which drains pushed events), then a look for changes to ``mentions``."""
    await adapter.fetch_mentions(cursor)
    return await adapter.fetch_changes(mentions)
