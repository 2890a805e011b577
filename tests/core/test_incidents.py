"""Incidents: gathering, members in and out, queueing one reply to each, joining, progress."""

from __future__ import annotations

import dataclasses

import pytest

from smm_tui.core.casework import CaseWork
from smm_tui.core.context import NotFound
from smm_tui.core.incidents import (
    ANSWERED_BEFORE,
    ON_ITS_WAY,
    Incident,
    IncidentError,
    IncidentState,
    reply_id_for,
)
from smm_tui.core.models import Author, Mention, Platform, Reply, ReplyState
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import run

OUTAGE = "The app is down again, I cannot log in to pay my bills"
OTHER = "How do I order a new card for my daughter?"


def complaint(n: int, text: str = OUTAGE, **overrides: object) -> Mention:
    """Mention ``n``: the outage complaint, worded a little differently each time."""
    return make_mention(n, text=f"{text} #{n}", **overrides)


def stored(workspace: Workspace, *mentions: Mention) -> list[Mention]:
    run(workspace.ingest.ingest(list(mentions)))
    return list(mentions)


def test_gathering_takes_the_seeds_and_their_near_duplicates(workspace: Workspace) -> None:
    mentions = stored(workspace, complaint(1), complaint(2), make_mention(3, text=OTHER))
    gathered = workspace.incidents.gather([mentions[1].id], mentions)
    assert gathered == [mentions[1].id, mentions[0].id]
    assert workspace.incidents.largest_group(mentions) == [mentions[0].id, mentions[1].id]


def test_incidents_are_numbered_per_year_and_named_by_their_first_mention(
    workspace: Workspace,
) -> None:
    first, second, third = stored(workspace, complaint(1), complaint(2), complaint(3))
    one = run(workspace.incidents.open("", [first.id, second.id, first.id], query="app"))
    two = run(workspace.incidents.open("  Card   outage ", [third.id]))
    assert (one.id, two.id) == ("I-2026-0001", "I-2026-0002")
    assert one.members == (first.id, second.id), "each once, in order"
    assert one.title.startswith("The app is down again") and two.title == "Card outage"
    assert (one.query, one.created_by, one.state) == ("app", "alice", IncidentState.OPEN)
    assert workspace.incidents.get("i-2026-0001") == one
    with pytest.raises(NotFound):
        run(workspace.incidents.open("", ["nope"]))
    with pytest.raises(IncidentError):
        run(workspace.incidents.open("", []))


def test_dropping_and_adding_members(workspace: Workspace) -> None:
    a, b, c = stored(workspace, complaint(1), complaint(2), complaint(3))
    incident = run(workspace.incidents.open("", [a.id, b.id]))
    incident = run(workspace.incidents.drop(incident.id, [a.id]))
    assert (incident.members, incident.dropped) == ((b.id,), (a.id,))
    incident = run(workspace.incidents.add(incident.id, [c.id, a.id, b.id]))
    assert (incident.members, incident.dropped) == ((b.id, c.id, a.id), ())


def test_a_mention_is_a_member_of_one_open_incident_at_most(workspace: Workspace) -> None:
    a, b, c, d = stored(workspace, complaint(1), complaint(2), complaint(3), complaint(4))
    first = run(workspace.incidents.open("", [a.id, b.id]))
    second = run(workspace.incidents.open("", [b.id, c.id]))
    held = f"already in {first.id}, which is open"
    assert (second.members, second.left_out) == ((c.id,), {b.id: held}), "b left out, said why"
    with pytest.raises(IncidentError, match=f"in an open incident: {first.id}$"):
        run(workspace.incidents.open("", [a.id, b.id]))
    second = run(workspace.incidents.add(second.id, [a.id, d.id]))
    assert second.members == (c.id, d.id) and second.left_out == {b.id: held, a.id: held}
    assert workspace.incidents.in_open_incidents([a.id, c.id, "x"]) == {
        a.id: first.id,
        c.id: second.id,
    }

    run(workspace.incidents.resolve(first.id))
    second = run(workspace.incidents.add(second.id, [a.id]))
    assert second.members == (c.id, d.id, a.id), "free once the other is resolved"
    assert second.left_out == {b.id: held}, "a member is no longer said to be left out"
    assert workspace.incidents.progress(second.id).unanswered == 3


def test_an_incident_links_to_a_ticket(workspace: Workspace) -> None:
    (a,) = stored(workspace, complaint(1))
    ticket = run(workspace.tickets.open([a.id]))
    incident = run(workspace.incidents.open("", [a.id]))
    assert run(workspace.incidents.link_ticket(incident.id, ticket.id)).ticket_id == ticket.id
    with pytest.raises(NotFound):
        run(workspace.incidents.link_ticket(incident.id, "no-such-ticket"))


def test_queueing_records_one_filled_reply_per_member_once(workspace: Workspace) -> None:
    a, b, c = stored(workspace, complaint(1), complaint(2), complaint(3))
    incident = run(workspace.incidents.open("", [a.id, b.id, c.id]))
    template = "{first_name}, we know, and we are fixing it."
    [line, *_] = workspace.incidents.preview(incident.id, template)
    assert (line.mention_id, line.text) == (a.id, "User, we know, and we are fixing it.")

    first = run(workspace.incidents.queue_replies(incident.id, template))
    again = run(workspace.incidents.queue_replies(incident.id, template))
    assert first.queued == tuple(reply_id_for(incident.id, m) for m in (a.id, b.id, c.id))
    assert (again.queued, again.already) == ((), (a.id, b.id, c.id))
    replies = [Reply.from_record(r) for r in workspace.repo.records(Collection.REPLIES)]
    assert len(replies) == 3, "queued twice, recorded once"
    assert {r.incident_id for r in replies} == {incident.id}
    assert all(r.state is ReplyState.QUEUED for r in replies)
    assert workspace.incidents.get(incident.id).reply_text == template
    progress = workspace.incidents.progress(incident.id)
    assert (progress.total, progress.queued, progress.unanswered) == (3, 3, 0)
    assert progress.by_network == {"vk": 3} and not progress.done


def test_members_answered_before_or_with_a_reply_on_its_way_are_left_out(
    workspace: Workspace,
) -> None:
    a, b, c = stored(workspace, complaint(1), complaint(2), complaint(3))
    run(workspace.outbox.queue(b.id, "On it"))
    answered = dataclasses.replace(a, first_response_at=a.created_at)
    workspace.repo.commit(_put_mention(answered))
    incident = run(workspace.incidents.open("", [a.id, b.id, c.id]))
    result = run(workspace.incidents.queue_replies(incident.id, "We are fixing it."))
    assert result.queued == (reply_id_for(incident.id, c.id),)
    assert result.skipped == {a.id: ANSWERED_BEFORE, b.id: ON_ITS_WAY}
    progress = workspace.incidents.progress(incident.id)
    assert (progress.skipped, progress.queued) == (2, 1)
    assert workspace.incidents.skipped(incident.id) == result.skipped


def test_a_field_one_member_lacks_leaves_that_member_out(workspace: Workspace) -> None:
    nameless = complaint(2, author=Author(id="u9", handle="anon"))
    a, b = stored(workspace, complaint(1), nameless)
    incident = run(workspace.incidents.open("", [a.id, b.id]))
    result = run(workspace.incidents.queue_replies(incident.id, "{first_name}, we are on it."))
    assert result.queued == (reply_id_for(incident.id, a.id),)
    assert "no display name" in result.skipped[b.id]
    assert workspace.incidents.progress(incident.id).skipped == 1


@pytest.mark.parametrize(
    ("template", "problem"),
    [("  ", "empty"), ("{frist_name}, hi", "unknown field"), ("a { b", "lone")],
)
def test_a_template_no_member_could_get_is_refused_and_nothing_stored(
    workspace: Workspace, template: str, problem: str
) -> None:
    (a,) = stored(workspace, complaint(1))
    incident = run(workspace.incidents.open("", [a.id]))
    with pytest.raises(IncidentError, match=problem):
        run(workspace.incidents.queue_replies(incident.id, template))
    assert workspace.repo.count(Collection.REPLIES) == 0
    assert workspace.incidents.get(incident.id).reply_text == ""


def test_a_reply_too_long_for_its_network_is_left_out(workspace: Workspace) -> None:
    (a,) = stored(workspace, complaint(1, platform=Platform.X, account="bank-x"))
    incident = run(workspace.incidents.open("", [a.id]))
    [line] = workspace.incidents.preview(incident.id, "word " * 80)
    assert line.text is None and "limit 280" in (line.problem or "")


def test_new_near_duplicates_join_an_open_incident(workspace: Workspace, clock: FakeClock) -> None:
    a, b, dropped = stored(workspace, complaint(1), complaint(2), complaint(3))
    incident = run(workspace.incidents.open("", [a.id, b.id, dropped.id]))
    run(workspace.incidents.drop(incident.id, [dropped.id]))
    clock.advance(600)
    late = [complaint(30), make_mention(31, text=OTHER), complaint(32)]
    stored(workspace, *late)
    joined = run(workspace.incidents.join([*late, dropped]))
    assert joined == {incident.id: [late[0].id, late[2].id]}
    members = workspace.incidents.get(incident.id).members
    assert members == (a.id, b.id, late[0].id, late[2].id), "dropped ones stay out"
    assert run(workspace.incidents.join(late)) == {}, "members are not added twice"


def test_the_casework_pass_joins_newcomers_and_a_resolved_incident_takes_none(
    workspace: Workspace, clock: FakeClock
) -> None:
    a, b = stored(workspace, complaint(1), complaint(2))
    incident = run(workspace.incidents.open("", [a.id, b.id]))
    clock.advance(60)
    newcomer, old = complaint(40), complaint(-40)
    stored(workspace, newcomer, old)
    report = run(_casework(workspace).pass_once(reviews=False))
    assert report.joined == {incident.id: [newcomer.id]}, "written before it opened: not new"

    run(workspace.incidents.resolve(incident.id))
    stored(workspace, complaint(41))
    assert run(_casework(workspace).pass_once(reviews=False)).joined == {}


def test_resolving_withdraws_the_unsent_replies_and_the_follow_up_goes_to_all(
    workspace: Workspace,
) -> None:
    a, b = stored(workspace, complaint(1), complaint(2))
    incident = run(workspace.incidents.open("", [a.id, b.id]))
    run(workspace.incidents.queue_replies(incident.id, "We are fixing it."))
    _settle(workspace, reply_id_for(incident.id, a.id), ReplyState.SENT)
    with pytest.raises(IncidentError, match="resolve it"):
        run(workspace.incidents.queue_replies(incident.id, "Fixed", follow_up=True))

    resolved = run(workspace.incidents.resolve(incident.id))
    assert resolved.state is IncidentState.RESOLVED and resolved.resolved_at is not None
    assert workspace.repo.get(Collection.REPLIES, reply_id_for(incident.id, b.id)) is None
    with pytest.raises(IncidentError, match="resolved"):
        run(workspace.incidents.queue_replies(incident.id, "More"))

    result = run(workspace.incidents.queue_replies(incident.id, "Fixed now.", follow_up=True))
    follow_ups = tuple(reply_id_for(incident.id, m, follow_up=True) for m in (a.id, b.id))
    assert result.queued == follow_ups, "the one answered before is followed up too"
    progress = workspace.incidents.progress(incident.id)
    assert (progress.queued, progress.sent) == (2, 0), "the follow-up's progress now"


def test_pausing_and_resuming(workspace: Workspace) -> None:
    (a,) = stored(workspace, complaint(1))
    incident = run(workspace.incidents.open("", [a.id]))
    assert run(workspace.incidents.pause(incident.id)).paused
    assert not run(workspace.incidents.resume(incident.id)).paused


def test_an_incident_and_a_reply_round_trip_and_old_replies_still_load(
    workspace: Workspace,
) -> None:
    (a,) = stored(workspace, complaint(1))
    incident = run(workspace.incidents.open("", [a.id]))
    assert Incident.from_record(incident.to_record()) == incident
    run(workspace.incidents.queue_replies(incident.id, "Hi"))
    record = dict(workspace.repo.get(Collection.REPLIES, reply_id_for(incident.id, a.id)) or {})
    assert Reply.from_record(record).incident_id == incident.id
    for key in ("incident_id", "retry_at"):
        record.pop(key)
    old = Reply.from_record(record)
    assert (old.incident_id, old.retry_at) == (None, None)


def test_the_outbox_leaves_incident_replies_to_the_incident_sender(workspace: Workspace) -> None:
    a, b = stored(workspace, complaint(1), complaint(2))
    incident = run(workspace.incidents.open("", [a.id]))
    run(workspace.incidents.queue_replies(incident.id, "Hi"))
    own = run(workspace.outbox.queue(b.id, "Hello"))
    assert [r.id for r in workspace.outbox.resumable()] == [own.id]


# -- helpers ----------------------------------------------------------------------------


def _casework(workspace: Workspace) -> CaseWork:
    return workspace.casework()


def _put_mention(mention: Mention) -> ChangeSet:
    return ChangeSet().put(Collection.MENTIONS, mention.to_record())


def _settle(workspace: Workspace, reply_id: str, state: ReplyState) -> None:
    workspace.repo.commit(ChangeSet().patch(Collection.REPLIES, reply_id, {"state": state.value}))
