"""Closing the loop in core: ticket numbers, the public follow-up, the customer's answer,
and the review that changed."""

from __future__ import annotations

from datetime import timedelta

from smm_tui.core.models import (
    Author,
    Mention,
    ReplyState,
    ReviewState,
    RevisionKind,
    Sentiment,
    Status,
    TicketColumn,
)
from smm_tui.core.network import MentionChange, PermanentError
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.revisions import HISTORY_LIMIT
from smm_tui.core.ticket_refs import number_unnumbered
from smm_tui.core.workspace import Workspace
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import FakeChannel, audit, run

CUSTOMER = Author(id="u42", handle="olga", display_name="Olga Petrova")


def complaint(n: int = 1, **overrides: object) -> Mention:
    fields: dict[str, object] = {
        "author": CUSTOMER,
        "text": "I was charged twice for one purchase, this is terrible",
        **overrides,
    }
    return make_mention(n, **fields)


def opened(workspace: Workspace, mention: Mention | None = None) -> str:
    mention = mention or complaint()
    run(workspace.ingest.ingest([mention]))
    return run(workspace.tickets.open([mention.id], department="Cards")).id


def followed_up(workspace: Workspace, clock: FakeClock) -> tuple[str, FakeChannel]:
    ticket_id = opened(workspace)
    ticket = workspace.tickets.get(ticket_id)
    channel = FakeChannel()
    reply = run(workspace.outbox.queue(ticket.mention_id, "We fixed it", ticket_id=ticket_id))
    clock.advance(60)
    run(workspace.outbox.send(reply.id, channel))
    return ticket_id, channel


# -- numbers ------------------------------------------------------------------------------------


def test_tickets_are_numbered_per_year_in_order(workspace: Workspace) -> None:
    first = opened(workspace, complaint(1))
    second = opened(workspace, complaint(2, author=Author("u9", "ivan")))
    refs = [workspace.tickets.get(t).ref for t in (first, second)]
    assert refs == ["T-2026-0001", "T-2026-0002"]
    assert workspace.tickets.by_ref("t-2026-0002") == workspace.tickets.get(second)
    assert workspace.tickets.by_ref("T-2026-0003") is None


def test_tickets_without_a_number_get_one_oldest_first(
    workspace: Workspace, clock: FakeClock
) -> None:
    first = opened(workspace, complaint(1))
    clock.advance(60)
    second = opened(workspace, complaint(2))
    for ticket_id in (first, second):
        workspace.repo.commit(ChangeSet().patch(Collection.TICKETS, ticket_id, {"ref": ""}))
    assert run(number_unnumbered(workspace.ctx)) == 2
    assert workspace.tickets.get(first).ref == "T-2026-0003"
    assert workspace.tickets.get(second).ref == "T-2026-0004"
    assert run(number_unnumbered(workspace.ctx)) == 0


# -- the public follow-up -----------------------------------------------------------------------


def test_a_sent_follow_up_leaves_the_ticket_awaiting_the_customer(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, channel = followed_up(workspace, clock)
    ticket = workspace.tickets.get(ticket_id)
    assert channel.published == [("c1", "We fixed it")]
    assert ticket.column is TicketColumn.AWAITING
    assert ticket.followed_up_at == clock.now
    assert ticket.confirm_by == clock.now + timedelta(days=3)
    assert ticket.followup_reply_id is not None
    assert workspace.ctx.mention(ticket.mention_id).status is Status.REPLIED
    assert "followed up" in [e.action for e in audit(workspace) if e.entity_id == ticket_id]


def test_a_follow_up_that_fails_leaves_the_ticket_where_it_was(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id = opened(workspace)
    channel = FakeChannel()
    channel.fail_with = PermanentError("the comment was deleted")
    ticket = workspace.tickets.get(ticket_id)
    reply = run(workspace.outbox.queue(ticket.mention_id, "We fixed it", ticket_id=ticket_id))
    assert run(workspace.outbox.send(reply.id, channel)).state is ReplyState.FAILED
    assert workspace.tickets.get(ticket_id).column is TicketColumn.NEW


def customer_answer(n: int, text: str, **overrides: object) -> Mention:
    later = make_mention(n).created_at + timedelta(hours=2)
    return complaint(n, text=text, created_at=later, **overrides)


def test_a_positive_answer_in_the_thread_suggests_closing(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    answer = customer_answer(5, "Thank you, the money is back, great service!")
    run(workspace.ingest.ingest([answer]))
    ticket = workspace.tickets.get(ticket_id)
    assert ticket.answer_mention_id == answer.id
    assert ticket.answer_sentiment is Sentiment.POSITIVE
    assert ticket.suggestion == "close"
    assert answer.id in ticket.mention_ids
    assert workspace.ctx.mention(answer.id).ticket_id == ticket_id
    closed = run(workspace.tickets.close(ticket_id))
    assert closed.column is TicketColumn.RESOLVED
    assert closed.confirmed_at == clock.now


def test_a_negative_answer_reopens_the_ticket(workspace: Workspace, clock: FakeClock) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    answer = customer_answer(5, "Still not refunded, this is awful and a scam")
    run(workspace.ingest.ingest([answer]))
    ticket = workspace.tickets.get(ticket_id)
    assert ticket.column is TicketColumn.IN_PROGRESS
    assert ticket.answer_sentiment is Sentiment.NEGATIVE
    assert ticket.confirm_by is None
    assert workspace.ctx.mention(answer.id).status is Status.TICKETED
    assert "reopened" in [e.action for e in audit(workspace) if e.entity_id == ticket_id]


def test_messages_elsewhere_or_by_others_are_not_answers(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    elsewhere = customer_answer(5, "Thanks!", root_external_id="post-9", parent_external_id="p")
    someone_else = make_mention(6, text="Thanks!", created_at=clock.now + timedelta(hours=1))
    run(workspace.ingest.ingest([elsewhere, someone_else]))
    assert workspace.tickets.get(ticket_id).answer_mention_id is None


def test_a_message_written_before_the_follow_up_is_no_answer_unless_it_replies_to_it(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    before = clock.now - timedelta(hours=1)
    late = complaint(7, text="Thanks, all good", created_at=before)
    run(workspace.ingest.ingest([late]))
    assert workspace.tickets.get(ticket_id).answer_mention_id is None, "fetched late, not an answer"
    ours = workspace.outbox.reply(workspace.tickets.get(ticket_id).followup_reply_id or "")
    skewed = complaint(
        8, text="Thanks, all good", created_at=before, parent_external_id=ours.external_id
    )
    run(workspace.ingest.ingest([skewed]))
    assert workspace.tickets.get(ticket_id).answer_mention_id == skewed.id


def test_declining_the_follow_up_closes_with_the_reason(workspace: Workspace) -> None:
    ticket_id = opened(workspace)
    closed = run(workspace.tickets.close(ticket_id, reason="customer asked not to reply"))
    assert closed.column is TicketColumn.RESOLVED
    assert closed.closed_reason == "customer asked not to reply"
    assert closed.confirmed_at is None


def test_a_note_goes_on_the_ticket_history(workspace: Workspace) -> None:
    ticket_id = opened(workspace)
    run(workspace.tickets.add_note(ticket_id, "Cards: refund issued\nref 991"))
    events = [e for e in audit(workspace) if e.entity_id == ticket_id and e.action == "note"]
    assert [e.detail["text"] for e in events] == ["Cards: refund issued ref 991"]


# -- the review that changed --------------------------------------------------------------------


def test_an_edited_complaint_keeps_its_history_and_updates_the_ticket(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    original = workspace.ctx.mention(workspace.tickets.get(ticket_id).mention_id)
    clock.advance(600)
    edit = MentionChange(
        original.external_id, RevisionKind.EDITED, "Update: refunded quickly, thank you! \x1b[2J"
    )
    report = run(workspace.revisions.apply("vk", "bank-vk", [edit]))
    assert report.edited == [original.id]
    mention = workspace.ctx.mention(original.id)
    assert mention.text == "Update: refunded quickly, thank you! \u241b[2J"  # inert
    assert [(r.kind, r.text) for r in mention.history] == [(RevisionKind.EDITED, original.text)]
    assert mention.sentiment is Sentiment.POSITIVE
    ticket = workspace.tickets.get(ticket_id)
    assert ticket.review is ReviewState.UPDATED
    assert ticket.review_sentiment is Sentiment.POSITIVE
    assert ticket.review_changed_at == clock.now
    assert ticket.suggestion == "close"


def test_a_deleted_complaint_is_kept_with_its_last_text(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    original = workspace.ctx.mention(workspace.tickets.get(ticket_id).mention_id)
    deletion = MentionChange(original.external_id, RevisionKind.DELETED, by="author")
    run(workspace.revisions.apply("vk", "bank-vk", [deletion]))
    again = run(workspace.revisions.apply("vk", "bank-vk", [deletion]))
    assert again.changed == 0
    mention = workspace.ctx.mention(original.id)
    assert mention.deleted_at == clock.now
    assert mention.text == original.text
    assert [(r.kind, r.by) for r in mention.history] == [(RevisionKind.DELETED, "author")]
    assert workspace.tickets.get(ticket_id).review is ReviewState.REMOVED
    restored = MentionChange(original.external_id, RevisionKind.RESTORED, original.text)
    run(workspace.revisions.apply("vk", "bank-vk", [restored]))
    assert workspace.ctx.mention(original.id).deleted_at is None


class Watch:
    """An account that reports one edit for every tracked mention."""

    change_note = ""

    def __init__(self, account: str) -> None:
        self.account = account
        self.asked: list[list[str]] = []

    async def fetch_changes(self, tracked: object) -> tuple[MentionChange, ...]:
        mentions = list(tracked)  # type: ignore[call-overload]
        self.asked.append([m.external_id for m in mentions])
        return tuple(
            MentionChange(m.external_id, RevisionKind.EDITED, m.text + " (edited)")
            for m in mentions
        )


def test_only_the_mentions_of_unresolved_tickets_are_watched(
    workspace: Workspace, clock: FakeClock
) -> None:
    open_ticket = opened(workspace, complaint(1))
    closed_ticket = opened(workspace, complaint(2, author=Author("u9", "ivan")))
    run(workspace.tickets.close(closed_ticket, reason="duplicate"))
    watch = Watch("bank-vk")
    report = run(workspace.revisions.check({"bank-vk": watch}))
    assert watch.asked == [["c1"]]
    assert report.edited == [workspace.tickets.get(open_ticket).mention_id]


def test_a_review_edited_back_to_a_complaint_takes_the_suggestion_back(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    original = workspace.ctx.mention(workspace.tickets.get(ticket_id).mention_id)
    thanks = MentionChange(original.external_id, RevisionKind.EDITED, "Refunded, thank you!")
    run(workspace.revisions.apply("vk", "bank-vk", [thanks]))
    assert workspace.tickets.get(ticket_id).suggestion == "close"
    angry = MentionChange(original.external_id, RevisionKind.EDITED, "No, charged again! Awful")
    run(workspace.revisions.apply("vk", "bank-vk", [angry]))
    ticket = workspace.tickets.get(ticket_id)
    assert (ticket.suggestion, ticket.review_sentiment) == ("", Sentiment.NEGATIVE)
    assert run(workspace.tickets.close(ticket_id)).confirmed_at is None, "not confirmed"


def test_a_removed_review_suggests_nothing(workspace: Workspace, clock: FakeClock) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    original = workspace.ctx.mention(workspace.tickets.get(ticket_id).mention_id)
    run(
        workspace.revisions.apply(
            "vk", "bank-vk", [MentionChange(original.external_id, RevisionKind.DELETED)]
        )
    )
    assert workspace.tickets.get(ticket_id).suggestion == ""


def test_an_edit_war_keeps_the_original_text(workspace: Workspace, clock: FakeClock) -> None:
    ticket_id = opened(workspace)
    original = workspace.ctx.mention(workspace.tickets.get(ticket_id).mention_id)
    for n in range(HISTORY_LIMIT + 5):
        edit = MentionChange(original.external_id, RevisionKind.EDITED, f"version {n}")
        run(workspace.revisions.apply("vk", "bank-vk", [edit]))
    history = workspace.ctx.mention(original.id).history
    assert len(history) == HISTORY_LIMIT
    assert history[0].text == original.text
    assert history[-1].text == f"version {HISTORY_LIMIT + 3}"


def test_stepping_an_awaiting_ticket_to_resolved_closes_it_as_confirmed(
    workspace: Workspace, clock: FakeClock
) -> None:
    ticket_id, _ = followed_up(workspace, clock)
    run(workspace.ingest.ingest([customer_answer(5, "Thank you, all good now, great!")]))
    stepped = run(workspace.tickets.step(ticket_id, 1))
    assert stepped.column is TicketColumn.RESOLVED and stepped.confirmed_at is not None
