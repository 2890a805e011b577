"""Rules at ingest: tag, assign, route to a department, spam, raise priority."""

from __future__ import annotations

import asyncio

from smm_tui.core.models import Author, Intent, Status
from smm_tui.core.query import parse
from smm_tui.core.repository import Collection
from smm_tui.core.rules import Rule
from smm_tui.core.workspace import Settings, Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention

RULES = (
    Rule("fraud", parse('"мошен"'), tags=("fraud",), department="Fraud", raise_priority=20),
    Rule("vip", parse("followers:>=10k"), assign="boris"),
    Rule("giveaway spam", parse('"usdt"'), spam=True),
)


def workspace_with_rules(store: Store, clock: FakeClock) -> Workspace:
    settings = Settings(departments=("Fraud", "General"), users=("anna", "boris"), rules=RULES)
    return Workspace(store, actor="anna", sources={}, settings=settings, clock=clock)


def test_rules_act_on_new_mentions_and_say_which_fired(store: Store, clock: FakeClock) -> None:
    ws = workspace_with_rules(store, clock)
    fraud = make_mention(1, text="Мошенники списали деньги!")
    spam = make_mention(2, text="Free USDT giveaway, DM me")
    calm = make_mention(3, text="Когда откроется отделение?")
    asyncio.run(ws.ingest.ingest([fraud, spam, calm]))

    routed = ws.ctx.mention(fraud.id)
    assert routed.rules == ("fraud",) and "fraud" in routed.tags
    assert routed.status is Status.TICKETED and routed.ticket_id is not None
    ticket = ws.tickets.get(routed.ticket_id)
    assert ticket.department == "Fraud" and ticket.mention_ids == (fraud.id,)
    assert routed.priority >= 80

    junk = ws.ctx.mention(spam.id)
    assert (junk.intent, junk.status, junk.rules) == (Intent.SPAM, Status.DONE, ("giveaway spam",))
    assert "spam" in junk.tags
    assert ws.ctx.mention(calm.id).rules == ()

    asyncio.run(ws.ingest.ingest([fraud]))  # fetched again: no second ticket
    assert store.count(Collection.TICKETS) == 1


def test_a_rule_assigns_the_unassigned(store: Store, clock: FakeClock) -> None:
    ws = workspace_with_rules(store, clock)
    vip = make_mention(4, text="Hello", author=Author("u4", "@vip", "VIP", followers=50_000))
    asyncio.run(ws.ingest.ingest([vip]))
    assert ws.ctx.mention(vip.id).assignee == "boris"
    assert ws.ctx.mention(vip.id).rules == ("vip",)


def test_a_mention_known_before_a_rule_existed_gets_no_orphan_ticket(
    store: Store, clock: FakeClock
) -> None:
    plain = Workspace(store, actor="anna", sources={}, clock=clock)
    fraud = make_mention(1, text="Мошенники!")
    asyncio.run(plain.ingest.ingest([fraud]))
    ws = workspace_with_rules(store, clock)
    asyncio.run(ws.ingest.ingest([fraud]))  # fetched again after the rule was added
    assert store.count(Collection.TICKETS) == 0
    assert ws.ctx.mention(fraud.id).ticket_id is None


def test_a_persons_label_keeps_what_a_rule_added(store: Store, clock: FakeClock) -> None:
    from smm_tui.core import priority
    from smm_tui.core.models import Sentiment

    ws = workspace_with_rules(store, clock)
    fraud = make_mention(1, text="Мошенники списали деньги!")
    asyncio.run(ws.ingest.ingest([fraud]))
    before = ws.ctx.mention(fraud.id)
    raised = before.priority - priority.score(before)
    assert raised > 0
    asyncio.run(ws.triage.set_sentiment([fraud.id], Sentiment.NEUTRAL))
    after = ws.ctx.mention(fraud.id)
    assert after.priority == min(100, priority.score(after) + raised)
    _, reasons = priority.explain(after, clock())
    assert any(r.why == "rules: fraud" for r in reasons)
