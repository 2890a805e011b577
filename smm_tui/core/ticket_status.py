"""Where a ticket stands, in words and marks: its handoff, follow-up, customer and review."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from smm_tui.core.handoffs import Handoff, HandoffState
from smm_tui.core.models import ReviewState, Sentiment, Ticket, TicketColumn
from smm_tui.core.sanitize import one_line
from smm_tui.core.tickets import SUGGEST_CLOSE


class Tone(enum.Enum):
    """How a status reads: fine, something to act on, or a problem."""

    PLAIN = "plain"
    GOOD = "good"
    ACT = "act"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class StatusPart:
    """One fact about a ticket: a short mark for its card and a sentence for its detail."""

    mark: str
    words: str
    tone: Tone = Tone.PLAIN


def span(delta: timedelta) -> str:
    """A duration as people say it: ``2 d 3 h``, ``5 h``, ``40 min``."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    return f"{hours} h" if hours else f"{minutes} min"


def ticket_status(ticket: Ticket, handoff: Handoff | None, now: datetime) -> list[StatusPart]:
    """The facts worth showing about ``ticket`` now, most pressing first."""
    parts = [p for p in (_suggestion(ticket), _awaiting(ticket, now)) if p is not None]
    if handoff is not None:
        parts.append(_handoff(handoff))
    if ticket.review is not ReviewState.UNCHANGED:
        parts.append(_review(ticket))
    if ticket.answer_mention_id is not None and ticket.suggestion != SUGGEST_CLOSE:
        tone = ticket.answer_sentiment
        parts.append(StatusPart(f"↩{_sign(tone)}", f"the customer answered ({tone.value})"))
    if ticket.closed_reason:
        parts.append(
            StatusPart("", f"closed without a follow-up: {one_line(ticket.closed_reason)}")
        )
    return parts


def _suggestion(ticket: Ticket) -> StatusPart | None:
    if ticket.suggestion != SUGGEST_CLOSE or ticket.column is TicketColumn.RESOLVED:
        return None
    return StatusPart("✓?", "the customer sounds satisfied: close it (x)", Tone.ACT)


def _awaiting(ticket: Ticket, now: datetime) -> StatusPart | None:
    if ticket.column is not TicketColumn.AWAITING or ticket.confirm_by is None:
        return None
    left = ticket.confirm_by - now
    if left <= timedelta(0):
        return StatusPart("⌛", f"no answer from the customer, {span(left)} overdue", Tone.BAD)
    return StatusPart("◷", f"awaiting the customer, {span(left)} left")


def _handoff(handoff: Handoff) -> StatusPart:
    match handoff.state:
        case HandoffState.SENT:
            return StatusPart("→✓", f"handed to {handoff.department}", Tone.GOOD)
        case HandoffState.FAILED:
            retry = " (retried by itself)" if handoff.retry_at else " (R to resend)"
            error = one_line(handoff.error or "unknown error")
            return StatusPart("→✗", f"handoff failed: {error}{retry}", Tone.BAD)
    return StatusPart("→…", f"handing to {handoff.department}")


def _review(ticket: Ticket) -> StatusPart:
    if ticket.review is ReviewState.REMOVED:
        return StatusPart("⌫", "review removed", Tone.GOOD)
    tone = ticket.review_sentiment
    good = tone in (Sentiment.POSITIVE, Sentiment.NEUTRAL)
    return StatusPart(
        f"✎{_sign(tone)}", f"review updated ({tone.value})", Tone.GOOD if good else Tone.BAD
    )


def _sign(tone: Sentiment) -> str:
    return {Sentiment.POSITIVE: "+", Sentiment.NEGATIVE: "−"}.get(tone, "")
