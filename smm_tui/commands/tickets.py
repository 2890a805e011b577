"""``smm-tui ticket``: open, list, hand over, resolve and annotate tickets from scripts.

``send`` hands a ticket to its department during the command (the handoff is
recorded before it is delivered, as the app does it), and ``resolve
--follow-up`` posts the public follow-up on the customer's thread through the
outbox, as ``smm-tui reply`` does: the ticket then awaits the customer. What
cannot be done is one line on stderr and a non-zero exit; nothing is posted.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TextIO

from smm_tui import headless
from smm_tui.commands.errors import EXIT_USAGE, UserError, warn
from smm_tui.commands.reading import reading, say_if_empty, write_out
from smm_tui.commands.setup import run_on_existing
from smm_tui.config import Config
from smm_tui.core.context import NotFound
from smm_tui.core.handoffs import Handoff, HandoffState, NoHandoff
from smm_tui.core.models import Ticket
from smm_tui.core.query_parse import QueryError
from smm_tui.core.records import write_records
from smm_tui.core.repository import Collection
from smm_tui.core.sanitize import one_line
from smm_tui.core.saved_replies import fill, values_for
from smm_tui.core.ticket_rows import (
    TICKET_FIELDS,
    parse_ticket_query,
    selected,
    ticket_cases,
    ticket_record,
)
from smm_tui.core.workspace import Workspace

#: ``resolve``'s reason when neither ``--follow-up`` nor ``--reason`` is given.
NO_FOLLOW_UP = "closed without a public follow-up"

#: A ticket command's work on the workspace, told which accounts were left out.
TicketJob = Callable[[Workspace, list[str]], Awaitable[int]]


def open_ticket(
    config: Config,
    data_dir: Path,
    env: Mapping[str, str],
    mention_ids: tuple[str, ...],
    department: str = "",
    note: str = "",
    *,
    elsewhere: str = "",
) -> int:
    """Open one ticket for the mentions (ids or id prefixes; the first names it); prints its ref."""

    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        ids = list(dict.fromkeys(_mention_id(workspace, given) for given in mention_ids))
        chosen = _department(workspace, department) if department else ""
        existing = workspace.tickets.for_mention(ids[0]) if len(ids) == 1 else None
        if existing is not None:
            print(f"smm-tui: {one_line(existing.label)} is already open for it", file=sys.stderr)
        ticket = existing or await workspace.tickets.open(ids, chosen, note)
        print(one_line(ticket.label))
        return 0

    return run_on_existing(config, data_dir, env, job, elsewhere=elsewhere, missing="no tickets")


def list_tickets(
    data_dir: Path,
    config: Config,
    fmt: str,
    output_path: str | None,
    query: str,
    *,
    elsewhere: str = "",
) -> int:
    """Write one record per ticket ``query`` selects (oldest first), as JSON Lines or CSV."""
    try:
        chosen = parse_ticket_query(query)
    except QueryError as exc:
        raise UserError(f"--query: {exc}", EXIT_USAGE) from None
    with reading(data_dir, config, "nothing to list", elsewhere) as workspace:
        say_if_empty(workspace, data_dir, elsewhere, Collection.TICKETS, "tickets")
        records = selected(map(ticket_record, ticket_cases(workspace.repo)), chosen)
    return write_out(
        output_path, "ticket", lambda out: write_records(records, TICKET_FIELDS, fmt, out)
    )


def send_ticket(
    config: Config,
    data_dir: Path,
    env: Mapping[str, str],
    ref: str,
    *,
    again: bool = False,
    elsewhere: str = "",
) -> int:
    """Hand the ticket to its department now; prints ``sent`` and the receipt.

    A handoff that is queued or failed is sent again; one already delivered is
    repeated only with ``again`` (as a new handoff, which the receiver does not drop).
    """

    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        ticket = find_ticket(workspace, ref)
        current = _current_handoff(workspace, ticket)
        if current is not None and current.state is HandoffState.SENT and not again:
            print(
                one_line(
                    f"{ticket.label}: already {current.status_line} ({current.receipt or 'sent'}); "
                    "--again hands it over again"
                )
            )
            return 0
        if current is None or current.state is HandoffState.SENT:
            try:
                current = await workspace.handoffs.hand_over(ticket.id)
            except NoHandoff as exc:
                raise UserError(f"{ticket.label}: {exc}") from None
        return _said(ticket, await workspace.handoffs.send(current.id), sys.stdout)

    return run_on_existing(config, data_dir, env, job, elsewhere=elsewhere, missing="no tickets")


def _current_handoff(workspace: Workspace, ticket: Ticket) -> Handoff | None:
    """The ticket's last handoff, unless it went to another department than the ticket's now."""
    if ticket.handoff_id is None:
        return None
    try:
        handoff = workspace.handoffs.get(ticket.handoff_id)
    except NotFound:
        return None
    return handoff if handoff.department == ticket.department else None


def _said(ticket: Ticket, handoff: Handoff, out: TextIO) -> int:
    """Print a delivered handoff; raise the reason one was not."""
    where = f"{ticket.label}: handoff to {handoff.department}"
    if handoff.state is HandoffState.SENT:
        print(one_line(f"sent {ticket.label} to {handoff.department}: {handoff.receipt}"), file=out)
        return 0
    if handoff.state is HandoffState.SENDING:
        raise UserError(f"{where} is being sent by {handoff.claimed_by or 'another smm-tui'}")
    if handoff.state is HandoffState.QUEUED:
        raise UserError(f"{where} is queued; smm-tui poll sends it")
    again = (
        f"; smm-tui poll tries again after {handoff.retry_at:%H:%M} UTC" if handoff.retry_at else ""
    )
    raise UserError(f"{where} failed: {handoff.error or 'unknown error'}{again}")


def resolve_ticket(
    config: Config,
    data_dir: Path,
    env: Mapping[str, str],
    ref: str,
    follow_up: str | None = None,
    reason: str = "",
    *,
    elsewhere: str = "",
) -> int:
    """Follow the ticket up in public with a saved reply, or close it with ``reason``.

    The saved reply is filled for the ticket's first mention and sent on its
    thread during the command; a reply that cannot be filled (unknown, a field
    it names that is unknown or has no value) is refused and nothing is posted.
    """
    if follow_up is not None and reason:
        raise UserError("--reason is for closing without --follow-up; give one", EXIT_USAGE)

    async def close(workspace: Workspace, _left_out: list[str]) -> int:
        ticket = find_ticket(workspace, ref)
        # A ticket followed up in public is closed as such, not "without a follow-up".
        default = "" if ticket.followed_up_at is not None else NO_FOLLOW_UP
        closed = await workspace.tickets.close(ticket.id, reason=reason or default)
        how = "confirmed by the customer" if closed.confirmed_at else "closed"
        print(one_line(f"{closed.label}: resolved ({closed.closed_reason or how})"))
        return 0

    async def follow(workspace: Workspace, left_out: list[str]) -> int:
        assert follow_up is not None
        ticket = find_ticket(workspace, ref)
        text = _filled(workspace, ticket, follow_up)
        warn(left_out)
        try:
            await headless.send_reply(
                workspace, ticket.mention_id, text, sys.stdout, ticket_id=ticket.id
            )
        except headless.CommandError as exc:
            raise UserError(f"{ticket.label}: {exc}") from None
        now = workspace.tickets.get(ticket.id)
        by = f", confirm by {now.confirm_by:%Y-%m-%d %H:%M} UTC" if now.confirm_by else ""
        print(one_line(f"{now.label}: {now.column.label.lower()}{by}"))
        return 0

    if follow_up is None:
        return run_on_existing(
            config, data_dir, env, close, elsewhere=elsewhere, missing="no tickets"
        )
    return run_on_existing(
        config, data_dir, env, follow, elsewhere=elsewhere, accounts=True, missing="no tickets"
    )


def _filled(workspace: Workspace, ticket: Ticket, name: str) -> str:
    """The saved reply ``name`` filled for the ticket's first mention; refused with the reason."""
    reply = workspace.saved_replies.named(name)
    if reply is None:
        names = ", ".join(r.name for r in workspace.saved_replies.all()) or "none"
        raise UserError(f"no saved reply {name!r} (saved replies: {names})")
    try:
        mention = workspace.ctx.mention(ticket.mention_id)
    except NotFound:
        raise UserError(f"{ticket.label}: its mention is no longer stored") from None
    values = values_for(mention, ticket=ticket, agent=workspace.actor)
    filled = fill(reply, values)
    if filled.text is None:
        raise UserError(f"saved reply {name!r} cannot be used: {filled.problem}")
    return filled.text


def note_ticket(
    config: Config,
    data_dir: Path,
    env: Mapping[str, str],
    ref: str,
    text: str,
    *,
    elsewhere: str = "",
) -> int:
    """Record a line on the ticket's history (the department's answer, a call made)."""
    if not one_line(text).strip():
        raise UserError("the note is empty", EXIT_USAGE)

    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        ticket = await workspace.tickets.add_note(find_ticket(workspace, ref).id, text)
        print(one_line(f"{ticket.label}: noted"))
        return 0

    return run_on_existing(config, data_dir, env, job, elsewhere=elsewhere, missing="no tickets")


# -- shared ---------------------------------------------------------------------------


def find_ticket(workspace: Workspace, ref: str) -> Ticket:
    """The ticket with reference (or id) ``ref``; a user error when there is none."""
    ticket = workspace.tickets.by_ref(ref)
    if ticket is None:
        raise UserError(f"no ticket {one_line(ref)!r}")
    return ticket


def _mention_id(workspace: Workspace, given: str) -> str:
    try:
        return headless.find_mention(workspace, given).id
    except headless.CommandError as exc:
        raise UserError(str(exc)) from None


def _department(workspace: Workspace, name: str) -> str:
    """The configured department called ``name`` (case aside), as the config spells it."""
    departments = workspace.settings.departments
    found = next((d for d in departments if d.casefold() == name.strip().casefold()), None)
    if found is None:
        raise UserError(
            f"unknown department {name!r} (departments: {', '.join(departments)})", EXIT_USAGE
        )
    return found
