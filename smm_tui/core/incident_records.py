"""What an incident is, as stored and as reported: the records of :mod:`smm_tui.core.incidents`."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from smm_tui.core.codec import Recorded, stored


class IncidentState(enum.StrEnum):
    """An incident is open until the fault behind it is fixed."""

    OPEN = "open"
    RESOLVED = "resolved"


class IncidentError(ValueError):
    """What was asked of an incident cannot be done; the message says why in one line."""


def incident_ref(year: int, number: int) -> str:
    """The id of the ``number``-th incident of ``year``: ``I-2026-0001``."""
    return f"I-{year}-{number:04d}"


def reply_id_for(incident_id: str, mention_id: str, *, follow_up: bool = False) -> str:
    """The id of the incident's reply (or follow-up) to one member: the same every time."""
    return f"{incident_id}.{'f' if follow_up else 'r'}.{mention_id}"


@dataclass(frozen=True, slots=True)
class Incident(Recorded):
    """Near-duplicate mentions answered together.

    ``members`` are mention ids in the order they were added; ``dropped`` the ones a
    person took out (they never join again). ``reply_text`` and ``follow_up_text`` are
    the templates as written; ``left_out`` says, per member, why the last queueing gave
    it no reply (answered before, a field with no value), and, per mention asked into
    it that another open incident had, that incident (a mention is in one open
    incident at most).
    """

    id: str
    title: str
    created_at: datetime
    created_by: str
    members: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    query: str = ""
    ticket_id: str | None = None
    reply_text: str = ""
    follow_up_text: str = ""
    paused: bool = False
    state: IncidentState = field(default=IncidentState.OPEN, metadata=stored(required=True))
    resolved_at: datetime | None = None
    left_out: Mapping[str, str] = field(default_factory=dict)
    rev: int = 0

    @property
    def following_up(self) -> bool:
        """Whether its replies now are the follow-up (queued once it was resolved)."""
        return bool(self.follow_up_text)


@dataclass(frozen=True, slots=True)
class IncidentProgress:
    """Where the replies of an incident (or its follow-up) are, member by member.

    ``unanswered``: members with no reply of this incident yet; ``skipped``: members
    left out, answered before or otherwise (:meth:`IncidentService.skipped` says why).
    """

    total: int
    unanswered: int
    queued: int
    sending: int
    sent: int
    failed: int
    skipped: int
    #: Members per network (platform value).
    by_network: Mapping[str, int]

    @property
    def done(self) -> bool:
        """Whether every member is answered or left out, with nothing on its way or failed."""
        return self.sent + self.skipped == self.total


@dataclass(frozen=True, slots=True)
class FilledFor:
    """One member's reply as it would go out: its ``text``, or the ``problem`` that stops it."""

    mention_id: str
    text: str | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class QueueResult:
    """What :meth:`IncidentService.queue_replies` recorded.

    ``queued``: the reply ids recorded now; ``already``: members that had this reply
    recorded before (it is not recorded twice); ``skipped``: member → why no reply.
    """

    queued: tuple[str, ...]
    already: tuple[str, ...]
    skipped: Mapping[str, str]
