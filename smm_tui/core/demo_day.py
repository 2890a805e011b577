"""A team's working day for the demo workspace: two weeks of mentions, handled.

Given what each demo account received before the app opens, :func:`rehearse`
plays what a team of three did with it, through the real services at the times
they did it: spam and giveaway entries closed, questions and complaints
assigned and answered (most within the target, some late, the latest few not
yet), complaints routed to tickets that moved across the board, and a
giveaway running on the busiest contest post. It plays against a
:class:`~smm_tui.core.rehearsal.RehearsalRepository`; the store then commits
what the services did, at once.

Every choice is drawn from the seed and the mention's id, and every time from
the mention's own, so the same seed, mentions and clock give the same day.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from smm_tui.core.contest_run import AuditedContests
from smm_tui.core.contests import ContestService
from smm_tui.core.demo_contest import REPLAY_ROUND, demo_rules
from smm_tui.core.ingest import IngestService
from smm_tui.core.models import Contest, Intent, Mention, Status, TicketColumn
from smm_tui.core.network import ReplyChannel
from smm_tui.core.outbox import OutboxService
from smm_tui.core.rehearsal import Rehearsal
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.tickets import TicketService
from smm_tui.core.triage import TriageService
from smm_tui.core.workspace import Settings

CONTEST_NAME = "Store vouchers giveaway"
_LATE_SHARE = 0.17
_ON_TIME_MEDIAN_MINUTES = 3.5
_TICKET_SHARE = 0.35
_PRAISE_REPLY_SHARE = 0.5
_CLOSE_AFTER_REPLY_SHARE = 0.5
#: Of the tickets fixed, the share followed up in public (they await the customer).
_FOLLOW_UP_SHARE = 0.5
_FOLLOW_UPS = {
    "en": "We have fixed it on our side. Could you check that everything is in order now?",
    "ru": "Мы всё исправили. Проверьте, пожалуйста, что теперь всё в порядке.",
    "ar": "قمنا بحل المشكلة. هل يمكنك التحقق من أن كل شيء على ما يرام الآن؟",
}
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One demo account: where its replies go, what it received before now, its giveaway."""

    name: str
    channel: ReplyChannel
    history: Sequence[Mention]
    contest_post: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What the demo's team rehearses: the accounts, the people, and the texts they answer with.

    ``team`` names the people, the demo's own user first. ``replies`` holds reply
    texts by ``language/intent`` (``language/other`` and ``en/other`` stand in for
    the rest).
    """

    accounts: Sequence[DemoAccount]
    team: Sequence[str]
    settings: Settings
    now: datetime
    seed: int
    replies: Mapping[str, Sequence[str]]


def rehearse(plan: DayPlan) -> ChangeSet:
    """Everything the team did with the accounts' history, for a store to commit at once.

    The day runs on an event loop of its own in a worker thread, so this may be
    called with or without one running.
    """
    day = _Day(plan)
    return day.stage.play(day.play())


def response_minutes(rng: random.Random) -> float:
    """How long the team took to answer: mostly a few minutes, sometimes far too long."""
    if rng.random() < _LATE_SHARE:
        return rng.uniform(11, 75)
    return min(9.5, max(0.7, rng.lognormvariate(math.log(_ON_TIME_MEDIAN_MINUTES), 0.5)))


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    triage: TriageService
    outbox: OutboxService
    tickets: TicketService


class _Day:
    def __init__(self, plan: DayPlan) -> None:
        self.stage = Rehearsal(plan.now, f"{plan.seed}\x1fids")
        self.repo, self.clock, self.make_id = self.stage.repo, self.stage.clock, self.stage.make_id
        self._context = self.stage.context
        self.now = plan.now
        self.seed = plan.seed
        self.settings = plan.settings
        self.replies = plan.replies
        self.accounts = {account.name: account for account in plan.accounts}
        self.people = [self._person(name) for name in dict.fromkeys(plan.team)]

    def _person(self, name: str) -> _Person:
        ctx = self._context(name)
        alarms = self.settings.alarms
        outbox = OutboxService(ctx, retry_delays=())
        return _Person(name, TriageService(ctx, alarms=alarms), outbox, TicketService(ctx))

    async def play(self) -> None:
        mentions = sorted(
            (m for account in self.accounts.values() for m in account.history),
            key=lambda m: (m.created_at, m.id),
        )
        ingest = IngestService(
            self._context(self.people[0].name),
            sla=self.settings.sla,
            alarms=self.settings.alarms,
            rules=self.settings.rules,
        )
        self.repo.commit(ingest.changes_for(mentions))
        await self._start_contest(mentions)
        for mention in mentions:
            await self._handle(self._stored(mention.id))

    def _stored(self, mention_id: str) -> Mention:
        record = self.repo.get(Collection.MENTIONS, mention_id)
        assert record is not None, "every mention of the day was ingested first"
        return Mention.from_record(record)

    async def _at(self, moment: datetime, action: Callable[[], Awaitable[_T]]) -> _T | None:
        """Do ``action`` as of ``moment``; nothing if that is not yet past when the app opens."""
        if moment >= self.now:
            return None
        self.clock.now = moment
        try:
            return await action()
        finally:
            self.clock.now = self.now

    async def _start_contest(self, mentions: Sequence[Mention]) -> None:
        entries = {
            name: [m for m in mentions if (m.account, m.root_external_id) == (name, a.contest_post)]
            for name, a in self.accounts.items()
        }
        busiest = max(entries, key=lambda name: len(entries[name]), default=None)
        if busiest is None or not entries[busiest]:
            return
        first = entries[busiest][0]
        ctx = self._context(self.people[0].name)
        contests = ContestService(ctx)
        post = self.accounts[busiest].contest_post
        opened = first.created_at - timedelta(minutes=5)
        contest = await self._at(
            opened,
            lambda: contests.create(CONTEST_NAME, first.platform, busiest, post, winners=3),
        )
        if contest is not None:
            await self._commit_contest(contest, opened)

    async def _commit_contest(self, contest: Contest, opened: datetime) -> None:
        """Give the giveaway its rules and post its commitment (to the replayed round)."""
        person = self.people[0]
        audited = AuditedContests(self._context(person.name), person.outbox)
        rules = demo_rules(
            contest.platform,
            contest.post_external_id,
            opened,
            self.now,
            [p.name for p in self.people],
        )
        await self._at(opened, lambda: audited.set_rules(contest.id, rules))
        committed = opened + timedelta(minutes=1)
        reply = await self._at(
            committed, lambda: audited.commit(contest.id, replay_round=REPLAY_ROUND)
        )
        channel = self.accounts[contest.account].channel
        if reply is not None:
            await self._at(committed, lambda: person.outbox.send(reply.id, channel))

    async def _handle(self, mention: Mention) -> None:
        rng = random.Random(f"{self.seed}\x1f{mention.id}")
        person = rng.choice(self.people)
        contest_post = self.accounts[mention.account].contest_post
        skip_reply = mention.intent is Intent.SPAM or mention.root_external_id == contest_post
        if mention.intent is Intent.PRAISE and rng.random() > _PRAISE_REPLY_SHARE:
            skip_reply = True
        if skip_reply:
            await self._close(person, mention.id, mention.created_at + _minutes(rng.uniform(2, 40)))
            return
        await self._answer(person, mention, rng)

    async def _close(self, person: _Person, mention_id: str, moment: datetime) -> None:
        await self._at(moment, lambda: person.triage.set_status([mention_id], Status.DONE))

    async def _answer(self, person: _Person, mention: Mention, rng: random.Random) -> None:
        delay = response_minutes(rng)
        picked_up = mention.created_at + _minutes(min(delay / 2, 2 + rng.random()))
        answered = mention.created_at + _minutes(delay)
        await self._at(picked_up, lambda: person.triage.assign([mention.id], person.name))
        await self._at(picked_up, lambda: person.triage.mark_seen(mention.id))
        if answered >= self.now:
            return  # still to be answered when the app opens
        text = rng.choice(self._texts(mention))
        queued = await self._at(
            answered - timedelta(seconds=20), lambda: person.outbox.queue(mention.id, text)
        )
        channel = self.accounts[mention.account].channel
        if queued is not None:
            await self._at(answered, lambda: person.outbox.send(queued.id, channel))
        if mention.intent is Intent.COMPLAINT and rng.random() < _TICKET_SHARE:
            await self._ticket(person, mention.id, answered + _minutes(1), rng)
        elif rng.random() < _CLOSE_AFTER_REPLY_SHARE:
            await self._close(person, mention.id, answered + _minutes(rng.uniform(1, 30)))

    def _texts(self, mention: Mention) -> Sequence[str]:
        language = mention.language or "en"
        for key in (f"{language}/{mention.intent.value}", f"{language}/other", "en/other"):
            if self.replies.get(key):
                return self.replies[key]
        return ("Thank you!",)

    async def _ticket(
        self, person: _Person, mention_id: str, moment: datetime, rng: random.Random
    ) -> None:
        department = rng.choice(self.settings.departments)
        ticket = await self._at(moment, lambda: person.tickets.open([mention_id], department))
        if ticket is None:
            return
        await self._at(
            moment,
            lambda: person.tickets.update(
                ticket.id, department=department, assignee=person.name, note=""
            ),
        )
        for column, after in _ticket_path(self.now - moment, rng):
            moment += after
            if column is TicketColumn.RESOLVED and rng.random() < _FOLLOW_UP_SHARE:
                await self._follow_up(person, ticket.id, moment)
                return
            if await self._at(moment, partial(person.tickets.move, ticket.id, column)) is None:
                return

    async def _follow_up(self, person: _Person, ticket_id: str, moment: datetime) -> None:
        """The fix is done: tell the customer in public; the ticket awaits their answer."""
        ticket = person.tickets.get(ticket_id)
        mention = self._stored(ticket.mention_id)
        text = _FOLLOW_UPS.get(mention.language or "en", _FOLLOW_UPS["en"])
        queued = await self._at(
            moment, lambda: person.outbox.queue(mention.id, text, ticket_id=ticket_id)
        )
        if queued is not None:
            channel = self.accounts[mention.account].channel
            await self._at(moment, lambda: person.outbox.send(queued.id, channel))


def _ticket_path(age: timedelta, rng: random.Random) -> list[tuple[TicketColumn, timedelta]]:
    """Where a ticket went, and after how long: older ones are resolved, fresh ones still new."""
    started = (TicketColumn.IN_PROGRESS, timedelta(hours=rng.uniform(0.3, 3)))
    if age > timedelta(days=3):
        return [started, (TicketColumn.RESOLVED, timedelta(hours=rng.uniform(8, 48)))]
    if age > timedelta(days=1):
        return [started, (TicketColumn.WAITING, timedelta(hours=rng.uniform(1, 6)))]
    return [started] if rng.random() < 0.5 else []


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=value)
