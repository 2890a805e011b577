"""What needs a response, and in what order it is shown (issue 12, points 4 and 5)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from smm_tui.core import report
from smm_tui.core.feed import FeedFilter, FeedScope, urgency_key
from smm_tui.core.models import Author, Intent, Reply, ReplyState, Status, to_iso
from smm_tui.core.query import parse
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.rules import Rule
from smm_tui.core.sla import SlaSettings
from smm_tui.core.workspace import Settings, Workspace
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock, make_mention

T = TypeVar("T")

SPAM = "Заработок в интернете! Пиши в личку, доход от 5000 в день, переходи по ссылке в профиле"
OBVIOUS_SPAM = "Earn $5000 a week, DM me, crypto signals https://t.me/signals_pro"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def queue(workspace: Workspace) -> list[str]:
    return list(workspace.feed_model().ids)


def breaching(workspace: Workspace) -> int:
    return workspace.feed_model().count(FeedFilter(FeedScope.OPEN, parse("is:breaching")))


def test_spam_entries_and_our_own_comments_need_no_response(
    workspace: Workspace, clock: FakeClock
) -> None:
    run(workspace.contests.create("Giveaway", make_mention(9).platform, "bank-vk", "post-7"))
    ours = Reply(
        id="r1",
        mention_id="x",
        platform=make_mention(1).platform,
        account="bank-vk",
        text="Thanks!",
        author="alice",
        created_at=T0,
        state=ReplyState.SENT,
        external_id="c3",
    )
    workspace.repo.commit(ChangeSet().put(Collection.REPLIES, ours.to_record()))
    question = make_mention(1, text="Как заблокировать карту?")
    spam = make_mention(2, text=SPAM)
    own = make_mention(3, text="Thanks, we are on it")
    entry = make_mention(4, text="Участвую 🙌", root_external_id="post-7")
    run(workspace.ingest.ingest([question, spam, own, entry]))
    clock.advance(3600)

    assert queue(workspace) == [question.id]
    assert breaching(workspace) == 1
    for quiet in (spam, own, entry):
        stored = workspace.ctx.mention(quiet.id)
        assert stored.sla_due_at is None and stored.status is Status.DONE, quiet.text
    assert workspace.ctx.mention(question.id).sla_due_at is not None


def test_intents_outside_applies_to_have_no_due_time_but_stay_in_the_queue(
    store: Store, clock: FakeClock
) -> None:
    sla = SlaSettings(applies_to=frozenset({Intent.COMPLAINT}))
    workspace = Workspace(store, actor="anna", sources={}, clock=clock, settings=Settings(sla=sla))
    praise = make_mention(1, text="Спасибо, вы лучшие! Отличное приложение")
    run(workspace.ingest.ingest([praise]))
    stored = workspace.ctx.mention(praise.id)
    assert stored.intent is Intent.PRAISE and stored.sla_due_at is None
    clock.advance(3600)
    assert queue(workspace) == [praise.id] and breaching(workspace) == 0


def test_a_person_marking_spam_takes_it_out_and_unmarking_brings_it_back(
    workspace: Workspace, clock: FakeClock
) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    run(workspace.triage.set_intent([mention.id], Intent.SPAM))
    marked = workspace.ctx.mention(mention.id)
    assert marked.status is Status.DONE and marked.sla_due_at is None
    assert queue(workspace) == []
    run(workspace.triage.set_intent([mention.id], Intent.QUESTION))
    back = workspace.ctx.mention(mention.id)
    assert back.status is Status.SEEN and back.sla_due_at == clock() + timedelta(minutes=10)
    run(workspace.triage.tag([mention.id], add=["Spam"]))
    assert workspace.ctx.mention(mention.id).status is Status.DONE


def test_a_rule_marking_spam_leaves_no_due_time(store: Store, clock: FakeClock) -> None:
    rule = Rule("casino", parse("casino"), spam=True)
    workspace = Workspace(
        store, actor="anna", sources={}, clock=clock, settings=Settings(rules=(rule,))
    )
    mention = make_mention(1, text="best casino here")
    run(workspace.ingest.ingest([mention]))
    assert workspace.ctx.mention(mention.id).sla_due_at is None


def test_the_start_up_back_fill_follows_the_same_rule(workspace: Workspace) -> None:
    # As an earlier version stored them: due times on everything, spam in the queue.
    old_spam = make_mention(1, text=SPAM, intent=Intent.SPAM, sla_due_at=T0)
    no_due = make_mention(2, text="Где моя карта?")
    changes = ChangeSet()
    for mention in (old_spam, no_due):
        changes.insert_new(Collection.MENTIONS, mention.to_record())
    workspace.repo.commit(changes)
    workspace.repo.commit(workspace.ingest.backfill_changes())
    assert workspace.ctx.mention(old_spam.id).status is Status.DONE
    assert workspace.ctx.mention(old_spam.id).sla_due_at is None
    assert workspace.ctx.mention(no_due.id).sla_due_at is not None
    assert not workspace.ingest.backfill_changes()


def test_the_report_judges_only_what_a_target_applies_to() -> None:
    answered_late = make_mention(
        1, sla_due_at=T0, first_response_at=T0 + timedelta(hours=2), intent=Intent.SPAM
    )
    on_time = make_mention(2, sla_due_at=T0 + timedelta(hours=1), first_response_at=T0)
    no_target = make_mention(3, first_response_at=T0 + timedelta(hours=3))
    rows = report.build([answered_late, on_time, no_target], now=T0 + timedelta(hours=4))
    network = rows[0]
    assert (network.mentions, network.answered, network.within_share) == (3, 3, 1.0)


def _record(n: int, *, priority: int, due_minutes: int, intent: Intent) -> dict[str, Any]:
    mention = make_mention(
        n,
        priority=priority,
        intent=intent,
        sla_due_at=T0 + timedelta(minutes=due_minutes),
        author=Author("a", "a"),
    )
    return mention.to_record()


def test_overdue_mentions_go_by_priority_then_lateness_the_rest_by_time_left() -> None:
    now = to_iso(T0 + timedelta(minutes=30)) or ""
    praise_very_late = _record(1, priority=20, due_minutes=0, intent=Intent.PRAISE)
    complaint_late = _record(2, priority=75, due_minutes=20, intent=Intent.COMPLAINT)
    question_late = _record(3, priority=40, due_minutes=10, intent=Intent.QUESTION)
    question_later = _record(4, priority=40, due_minutes=5, intent=Intent.QUESTION)
    soon = _record(5, priority=10, due_minutes=35, intent=Intent.OTHER)
    later = _record(6, priority=90, due_minutes=50, intent=Intent.COMPLAINT)
    answered = {**_record(7, priority=99, due_minutes=1, intent=Intent.COMPLAINT)}
    answered["first_response_at"] = to_iso(T0)
    records = [later, answered, soon, praise_very_late, question_late, complaint_late]
    records.append(question_later)
    ordered = sorted(records, key=lambda r: urgency_key(r, now))
    assert [r["external_id"] for r in ordered] == ["c2", "c4", "c3", "c1", "c5", "c6", "c7"]


def test_the_queue_moves_a_mention_up_when_it_falls_overdue(
    workspace: Workspace, clock: FakeClock
) -> None:
    praise = make_mention(1, text="Отличное приложение, спасибо!")
    complaint = make_mention(5, text="Списали деньги дважды, верните немедленно!!!")
    run(workspace.ingest.ingest([praise, complaint]))
    feed = workspace.feed_model()
    feed.rebuild()
    assert list(feed.ids) == [praise.id, complaint.id]  # the praise is due first
    assert not feed.catch_up()
    clock.advance(20 * 60)  # both overdue now: the complaint has the higher priority
    assert workspace.ctx.mention(complaint.id).priority > workspace.ctx.mention(praise.id).priority
    assert feed.catch_up()
    assert list(feed.ids) == [complaint.id, praise.id]
    # A change in between keeps the list sorted by the same cut-off.
    feed.apply(run(workspace.triage.set_status([praise.id], Status.SEEN)))
    assert list(feed.ids) == [complaint.id, praise.id]
    assert feed.index_of(praise.id) == 1


def test_a_mention_is_due_only_if_it_needs_a_response() -> None:
    settings = SlaSettings()
    question = make_mention(1, intent=Intent.QUESTION)
    assert settings.due_for(question) == question.created_at + timedelta(minutes=10)
    assert settings.due_for(make_mention(2, text=OBVIOUS_SPAM, intent=Intent.SPAM)) is None
    assert settings.due_for(make_mention(3, intent=Intent.OTHER, tags=("SPAM",))) is None
    assert settings.due_for(make_mention(4)) is not None  # not classified yet: it may need one
    everything = SlaSettings(applies_to=frozenset(Intent))
    assert everything.due_for(make_mention(5, intent=Intent.SPAM)) is not None
