"""Priority from intent, tone, reach, alarm words and time left; labels a person sets stick."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from smm_tui.core import priority
from smm_tui.core.models import Author, Intent, Sentiment
from smm_tui.core.workspace import Workspace
from tests.conftest import T0, make_mention


def test_a_loud_fraud_complaint_outranks_a_quiet_question() -> None:
    loud = dataclasses.replace(
        make_mention(1, text="Мошенники! Списали деньги дважды"),
        author=Author("u1", "big", "Big", followers=250_000),
        sentiment=Sentiment.NEGATIVE,
        intent=Intent.COMPLAINT,
    )
    quiet = dataclasses.replace(
        make_mention(2, text="Когда откроется отделение?"), intent=Intent.QUESTION
    )
    assert priority.score(loud) == 100
    assert priority.score(quiet) == 30
    whys = [r.why for r in priority.reasons(loud)]
    assert whys[0] == "intent: complaint"
    assert "reach: 250,000 followers" in whys
    assert any(w.startswith("alarm word: «мошенник»") for w in whys)


def test_time_left_adds_when_shown() -> None:
    question = dataclasses.replace(
        make_mention(2), intent=Intent.QUESTION, sla_due_at=T0 + timedelta(minutes=10)
    )
    assert priority.explain(question, T0)[0] == 30
    assert priority.explain(question, T0 + timedelta(minutes=8))[0] == 40
    points, reasons = priority.explain(question, T0 + timedelta(minutes=11))
    assert points == 50 and reasons[-1].why == "response target missed"


def test_ingest_classifies_and_a_persons_label_sticks(workspace: Workspace) -> None:
    complaint = make_mention(1, text="Приложение опять не работает, третий день!")
    asyncio.run(workspace.ingest.ingest([complaint]))
    stored = workspace.ctx.mention(complaint.id)
    assert (stored.sentiment, stored.intent) == (Sentiment.NEGATIVE, Intent.COMPLAINT)
    assert stored.priority == priority.score(stored) > 50

    asyncio.run(workspace.triage.set_intent([complaint.id], Intent.SPAM))
    asyncio.run(workspace.triage.set_sentiment([complaint.id], Sentiment.NEUTRAL))
    relabelled = workspace.ctx.mention(complaint.id)
    assert (relabelled.sentiment, relabelled.intent) == (Sentiment.NEUTRAL, Intent.SPAM)
    assert relabelled.overridden == ("intent", "sentiment")
    assert relabelled.priority < stored.priority

    asyncio.run(workspace.ingest.ingest([complaint]))  # fetched again: nothing changes
    assert workspace.ctx.mention(complaint.id).intent is Intent.SPAM


def test_mentions_stored_before_due_times_existed_are_brought_up_to_date(
    workspace: Workspace,
) -> None:
    from smm_tui.core.repository import ChangeSet, Collection

    old = make_mention(1, text="Приложение не работает", created_at=T0)
    record = old.to_record()
    for field in ("sla_due_at", "intent", "priority"):
        record.pop(field)
    record["sentiment"] = "unknown"
    workspace.repo.commit(ChangeSet().put(Collection.MENTIONS, record))

    workspace.repo.commit(workspace.ingest.backfill_changes())

    updated = workspace.ctx.mention(old.id)
    assert updated.sla_due_at == T0 + timedelta(minutes=10)
    assert updated.intent is Intent.COMPLAINT and updated.priority > 0
    assert not workspace.ingest.backfill_changes(), "nothing left to do"
