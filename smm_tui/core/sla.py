"""Response-time targets: when a mention's first response is due, and how urgent it is.

A bank's team answers within minutes, so every open mention that needs a
response carries a due time (``sla_due_at``), set when it arrives: its creation
time plus the account's target, counted in business hours when the team keeps
them. What needs a response is configurable by intent (``[sla] applies_to``);
certain spam, plain contest entries and the brand's own comments never do (see
:meth:`SlaSettings.applies`, :func:`certain_spam` and :func:`with_target`). The
feed orders the queue by it and shows the time left with a symbol as well as
a colour, so the signal survives 16-colour terminals and colour-blind eyes.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from smm_tui.core.attention import trouble_sign
from smm_tui.core.models import Intent, Mention, Status

DEFAULT_TARGET = timedelta(minutes=10)
DEFAULT_WARN = timedelta(minutes=3)
#: The intents a response target applies to unless ``[sla] applies_to`` says otherwise.
DEFAULT_APPLIES_TO: frozenset[Intent] = frozenset(
    {Intent.COMPLAINT, Intent.QUESTION, Intent.PRAISE, Intent.OTHER}
)
#: The tag that shows spam the classifier is not sure of, left in the queue for a person.
SUSPECTED_SPAM_TAG = "spam?"
#: Business hours are walked a day at a time; a target never spans more days than this.
_MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When the team works: daily ``start`` to ``end`` on ``days`` (0 = Monday), in ``zone``."""

    start: time
    end: time
    days: frozenset[int] = frozenset(range(5))
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def add(self, moment: datetime, span: timedelta) -> datetime:
        """``moment`` plus ``span`` of working time (UTC in, UTC out).

        Each day's opening and closing are local wall times; the time between
        them is measured in UTC, so a day with a clock change counts right.
        """
        at = moment.astimezone(UTC)
        day = at.astimezone(self.zone).date()
        left = span
        for _ in range(_MAX_DAYS):
            opens = datetime.combine(day, self.start, self.zone).astimezone(UTC)
            closes = datetime.combine(day, self.end, self.zone).astimezone(UTC)
            if day.weekday() in self.days and at < closes:
                begin = max(at, opens)
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
            day += timedelta(days=1)
            at = max(at, closes)
        return at + left


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """A first-response target, with an early warning before it is missed."""

    target: timedelta = DEFAULT_TARGET
    warn_before: timedelta = DEFAULT_WARN
    hours: BusinessHours | None = None

    def due_at(self, created_at: datetime) -> datetime:
        """When the first response to a mention created at ``created_at`` is due."""
        if self.hours is None:
            return created_at + self.target
        return self.hours.add(created_at, self.target)


@dataclass(frozen=True, slots=True)
class SlaSettings:
    """The default policy and per-account ones (by account name)."""

    default: SlaPolicy = SlaPolicy()
    accounts: Mapping[str, SlaPolicy] = field(default_factory=dict)
    #: The intents that need a response; a mention not yet classified always does.
    applies_to: frozenset[Intent] = DEFAULT_APPLIES_TO

    def for_account(self, account: str) -> SlaPolicy:
        """The policy of one account."""
        return self.accounts.get(account, self.default)

    def applies(self, mention: Mention, alarms: Sequence[str] = ()) -> bool:
        """Whether the mention needs a response, and so has a due time.

        :func:`certain_spam` never does unless ``spam`` is among :attr:`applies_to`;
        spam the classifier is not sure of (a fraud victim quoting the fraud)
        does, whatever :attr:`applies_to` says. ``alarms`` are the alarm words.
        """
        if is_spam(mention) and Intent.SPAM not in self.applies_to:
            return not certain_spam(mention, alarms)
        return mention.intent is Intent.UNKNOWN or mention.intent in self.applies_to

    def due_for(self, mention: Mention, alarms: Sequence[str] = ()) -> datetime | None:
        """The mention's due time if the target applies (its own, if already set), else None."""
        if not self.applies(mention, alarms):
            return None
        if mention.sla_due_at is not None:
            return mention.sla_due_at
        return self.for_account(mention.account).due_at(mention.created_at)

    def leaves_queue(self, mention: Mention, alarms: Sequence[str] = ()) -> bool:
        """Whether the mention is one nobody answers (certain spam): closed, not queued."""
        return Intent.SPAM not in self.applies_to and certain_spam(mention, alarms)


def with_target(
    mention: Mention, settings: SlaSettings, *, alarms: Sequence[str] = (), exempt: bool = False
) -> Mention:
    """The mention with its due time set, or cleared, by whether the target applies.

    :func:`certain_spam`, and what ``exempt`` says needs no response (a plain
    entry in a running contest, the brand's own comment), is closed too while
    open: nobody answers it, so it stays out of the queue, out of Breaching and
    out of the report's share. Spam the classifier is not sure of stays open
    with its due time, for a person to confirm (``L``) or answer.
    """
    closes = exempt or settings.leaves_queue(mention, alarms)
    due = None if closes else settings.due_for(mention, alarms)
    status = Status.DONE if closes and mention.status.is_open else mention.status
    if due == mention.sla_due_at and status is mention.status:
        return mention
    return dataclasses.replace(mention, sla_due_at=due, status=status)


def is_spam(mention: Mention) -> bool:
    """Spam by intent (the classifier's, a rule's or a person's) or by the ``spam`` tag."""
    return mention.intent is Intent.SPAM or _tagged_spam(mention)


def certain_spam(mention: Mention, alarms: Sequence[str] = ()) -> bool:
    """Spam that may be closed unseen: marked by a person or a rule, or plainly spam.

    The ``spam`` tag (a rule's ``spam = true`` adds it, as a person may) or the
    spam intent set by a person (``L``) settle it. The classifier's spam verdict
    alone does only when the text shows no :func:`~smm_tui.core.attention.trouble_sign`
    (no complaint, blame or question, no alarm word, no plea for help).
    """
    if _tagged_spam(mention):
        return True
    if mention.intent is not Intent.SPAM:
        return False
    return "intent" in mention.overridden or trouble_sign(mention, alarms) is None


def unconfirmed_spam(mention: Mention) -> bool:
    """Open spam by the classifier's word alone, waiting for a person to confirm it."""
    return (
        mention.intent is Intent.SPAM
        and mention.status.is_open
        and "intent" not in mention.overridden
        and not _tagged_spam(mention)
    )


def _tagged_spam(mention: Mention) -> bool:
    return any(t.casefold() == "spam" for t in mention.tags)


class SlaState(enum.Enum):
    """Where a mention stands against its target."""

    NONE = "none"  # handled, answered, or no target
    ON_TIME = "on time"
    AT_RISK = "at risk"
    BREACHED = "breached"


#: The symbol beside the time left, so the state reads without colour.
SYMBOLS = {SlaState.NONE: " ", SlaState.ON_TIME: " ", SlaState.AT_RISK: "⚠", SlaState.BREACHED: "‼"}


def awaiting_response(mention: Mention) -> bool:
    """Whether the mention is open (ticketed too) and nobody has answered it yet."""
    return mention.status.is_open and mention.first_response_at is None


def state(mention: Mention, now: datetime, warn_before: timedelta = DEFAULT_WARN) -> SlaState:
    """The mention's state against its due time."""
    if mention.sla_due_at is None or not awaiting_response(mention):
        return SlaState.NONE
    left = mention.sla_due_at - now
    if left <= timedelta(0):
        return SlaState.BREACHED
    return SlaState.AT_RISK if left <= warn_before else SlaState.ON_TIME


def time_left_text(left: timedelta) -> str:
    """``45s``, ``7m``, ``2h``, ``3d``; negative when overdue: ``-12m``."""
    seconds = int(left.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds}s"
    if seconds < 3600:
        return f"{sign}{seconds // 60}m"
    if seconds < 86400:
        return f"{sign}{seconds // 3600}h"
    return f"{sign}{seconds // 86400}d"


def label(mention: Mention, now: datetime, warn_before: timedelta = DEFAULT_WARN) -> str | None:
    """``"‼-12m"``, ``"⚠ 2m"`` or ``"  7m"`` for a mention awaiting an answer; else None."""
    current = state(mention, now, warn_before)
    if current is SlaState.NONE or mention.sla_due_at is None:
        return None
    left = time_left_text(mention.sla_due_at - now)
    if len(left) > 4:  # "-100d": the column holds four characters
        left = "-99d+" if left.startswith("-") else "99d+"
    return SYMBOLS[current] + left.rjust(4)[:5]
