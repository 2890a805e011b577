"""``smm-tui ticket``: open, list, hand over, resolve and annotate tickets."""

from __future__ import annotations

from typing import Any

import click

from smm_tui.cli.args import Args
from smm_tui.cli.options import (
    command_of,
    common_options,
    demo_option,
    format_option,
    group,
    help_without_command,
    output_option,
    query_option,
    read_args,
)


@group("ticket", "open, list, hand over and resolve tickets")
def ticket() -> None:
    """The ``ticket`` group; named alone, its help."""
    help_without_command()


@command_of(
    ticket,
    "open",
    "open a ticket for mentions; prints its ref\n\n"
    "MENTION_ID: each mention's id (or a prefix); the first names the ticket",
)
@click.argument("mention_ids", nargs=-1, required=True, metavar="MENTION_ID...")
@click.option("--department", metavar="NAME", help="the department that can fix it")
@click.option("--note", metavar="TEXT", help="a note for the department")
@demo_option
@common_options
def _ticket_open(**params: Any) -> Args:
    return read_args(params)


@command_of(ticket, "list", "write every ticket out, with its handoff, follow-up and review")
@format_option("jsonl", "csv")
@query_option("state:… department:… assignee:… review:… handoff:… platform:… and words")
@output_option
@demo_option
@common_options
def _ticket_list(**params: Any) -> Args:
    return read_args(params)


@command_of(
    ticket,
    "send",
    "hand the ticket to its department now; prints sent and the receipt\n\n"
    "REF: the ticket's reference (T-2026-0042)",
)
@click.argument("ref", metavar="REF")
@click.option("--again", is_flag=True, help="hand it over again though it was delivered")
@demo_option
@common_options
def _ticket_send(**params: Any) -> Args:
    return read_args(params)


@command_of(
    ticket,
    "resolve",
    "follow the ticket up in public with a saved reply, or close it\n\n"
    "REF: the ticket's reference (T-2026-0042)",
)
@click.argument("ref", metavar="REF")
@click.option(
    "--follow-up",
    "follow_up",
    metavar="SAVED_REPLY",
    help="reply on the customer's thread with this saved reply; the ticket awaits the customer",
)
@click.option(
    "--reason",
    metavar="TEXT",
    help="why it closes without a public follow-up (recorded on the ticket)",
)
@demo_option
@common_options
def _ticket_resolve(**params: Any) -> Args:
    return read_args(params)


@command_of(
    ticket,
    "note",
    "record a line on the ticket's history (the department's answer)\n\n"
    "REF: the ticket's reference (T-2026-0042)",
)
@click.argument("ref", metavar="REF")
@click.argument("text", metavar="TEXT")
@demo_option
@common_options
def _ticket_note(**params: Any) -> Args:
    return read_args(params)
