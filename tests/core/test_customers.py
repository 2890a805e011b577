"""The customer view: one author's mentions, replies and tickets, across networks."""

from __future__ import annotations

import asyncio
import dataclasses

from smm_tui.core.customers import handle_user
from smm_tui.core.models import Author, Platform
from smm_tui.core.workspace import Workspace
from tests.conftest import make_mention

ANNA_VK = Author("id1", "anna_k", "Anna K")
ANNA_MASTO = Author("m9", "@anna_k@fediverse.example", "Anna K")
OTHER_ANNA = Author("m10", "@anna_k@other.example", "Anna Kuznetsova")


def test_handles_compare_by_their_user_part() -> None:
    assert handle_user("@anna_k@fediverse.example") == "anna_k"
    assert handle_user("anna_k.bsky.social") == "anna_k"
    assert handle_user("@Anna_K") == "anna_k"


def test_history_spans_networks_only_when_handle_and_name_both_match(
    workspace: Workspace,
) -> None:
    vk_1 = make_mention(1, author=ANNA_VK)
    vk_2 = make_mention(2, author=ANNA_VK)
    masto = dataclasses.replace(
        make_mention(3, author=ANNA_MASTO), platform=Platform.MASTODON, account="bank-masto"
    )
    namesake = dataclasses.replace(
        make_mention(4, author=OTHER_ANNA), platform=Platform.MASTODON, account="bank-masto"
    )
    stranger = make_mention(5)
    asyncio.run(workspace.ingest.ingest([vk_1, vk_2, masto, namesake, stranger]))
    reply = asyncio.run(workspace.outbox.queue(vk_1.id, "Fixed"))
    ticket = asyncio.run(workspace.tickets.open([vk_2.id]))

    history = workspace.customers.history(vk_1.id)

    assert {m.id for m in history.mentions} == {vk_1.id, vk_2.id, masto.id}
    assert [m.id for m in history.mentions if history.possible(m)] == [masto.id]
    assert history.networks[0] in (Platform.VK, Platform.MASTODON)
    assert [r.id for r in history.replies] == [reply.id]
    assert [t.id for t in history.tickets] == [ticket.id]
