"""Where an incident's replies are, member by member, read from the store as it is now.

A member has the incident's reply (or, once one is queued, its follow-up) in some
state, or none: then it is either left out, for a reason said in words, or still
unanswered. An incident's replies are known by id (:func:`reply_id_for`), so progress
reads one reply a member, and the mention only of a member without one: never every
reply stored (a year's tens of thousands), as the sender reports progress after
every reply it settles. So :func:`progress_of` counts a member left out for another
reply on its way only as the last queueing found it; :func:`skipped_of`, asked for
by a person, looks at every reply on its way now.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from types import MappingProxyType

from smm_tui.core.incident_records import Incident, IncidentProgress, reply_id_for
from smm_tui.core.models import ReplyState
from smm_tui.core.repository import Collection, Record, Repository

#: Why a member gets no reply of its own.
ANSWERED_BEFORE = "answered before"
ON_ITS_WAY = "another reply to it is on its way"
NOT_STORED = "no longer stored"
_UNSENT = frozenset({ReplyState.QUEUED.value, ReplyState.SENDING.value})
#: No replies on their way known beyond what the last queueing noted in ``left_out``.
_NONE_KNOWN: Mapping[str, set[str]] = MappingProxyType({})


def current_reply_id(incident: Incident, mention_id: str) -> str:
    """The id of the incident's reply to a member now: the follow-up once there is one."""
    return reply_id_for(incident.id, mention_id, follow_up=incident.following_up)


def progress_of(repo: Repository, incident: Incident) -> IncidentProgress:
    """How far the incident's replies (or its follow-up) have gone: a lookup a member."""
    states: Counter[str] = Counter()
    networks: Counter[str] = Counter()
    for member in incident.members:
        reply = repo.get(Collection.REPLIES, current_reply_id(incident, member))
        if reply is not None:
            # The reply names the mention's network: the mention need not be read.
            networks[str(reply["platform"])] += 1
            states[str(reply["state"])] += 1
            continue
        mention = repo.get(Collection.MENTIONS, member)
        if mention is not None:
            networks[str(mention["platform"])] += 1
        left_out = why_left_out(incident, member, mention, _NONE_KNOWN) is not None
        states["skipped" if left_out else "unanswered"] += 1
    return IncidentProgress(
        total=len(incident.members),
        unanswered=states["unanswered"],
        queued=states[ReplyState.QUEUED.value],
        sending=states[ReplyState.SENDING.value],
        sent=states[ReplyState.SENT.value],
        failed=states[ReplyState.FAILED.value],
        skipped=states["skipped"],
        by_network=dict(networks),
    )


def skipped_of(repo: Repository, incident: Incident) -> dict[str, str]:
    """Member → why it has no reply of the incident, for the members left out."""
    on_their_way = unsent_by_mention(repo)
    reasons: dict[str, str] = {}
    for member in incident.members:
        if repo.get(Collection.REPLIES, current_reply_id(incident, member)):
            continue
        mention = repo.get(Collection.MENTIONS, member)
        reason = why_left_out(incident, member, mention, on_their_way)
        if reason is not None:
            reasons[member] = reason
    return reasons


def why_left_out(
    incident: Incident,
    member: str,
    mention: Record | None,
    on_their_way: Mapping[str, set[str]],
    *,
    live_only: bool = False,
) -> str | None:
    """Why ``member`` gets no reply of this phase, from what is stored now, or None.

    Unless ``live_only``, the reasons the last queueing gave (a field it lacks) count too.
    """
    if mention is None:
        return NOT_STORED
    if on_their_way.get(member, set()) - {current_reply_id(incident, member)}:
        return ON_ITS_WAY
    if not incident.following_up and mention.get("first_response_at"):
        return ANSWERED_BEFORE
    return None if live_only else incident.left_out.get(member)


def unsent_by_mention(repo: Repository) -> dict[str, set[str]]:
    """Mention id → the ids of its replies queued or being sent."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    for record in repo.records(Collection.REPLIES):
        if record["state"] in _UNSENT:
            found[str(record["mention_id"])].add(str(record["id"]))
    return found
