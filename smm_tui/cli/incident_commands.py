"""``smm-tui incident``: gather near-duplicate complaints, answer them all, follow them up."""

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
    read_args,
)

_ID = click.argument("incident_id", metavar="ID")


@group("incident", "gather near-duplicate complaints and answer them in one stroke")
def incident() -> None:
    """The ``incident`` group; named alone, its help."""
    help_without_command()


@command_of(incident, "list", "write every incident out, with its members and progress")
@format_option("jsonl", "csv")
@output_option
@demo_option
@common_options
def _incident_list(**params: Any) -> Args:
    return read_args(params)


@command_of(
    incident,
    "show",
    "an incident's members per network, its progress and its reply\n\nID: I-2026-0001",
)
@_ID
@demo_option
@common_options
def _incident_show(**params: Any) -> Args:
    return read_args(params)


@command_of(
    incident,
    "open",
    "gather the near duplicates among a query's mentions into an incident; prints its id",
)
@click.option("--query", "-q", metavar="Q", required=True, help="the mentions to gather from")
@click.option("--title", metavar="TEXT", help="its title (default: from the first mention)")
@click.option(
    "--seed",
    "seeds",
    metavar="MENTION_ID",
    multiple=True,
    help="gather what is like this mention (repeatable; default: the largest group)",
)
@demo_option
@common_options
def _incident_open(**params: Any) -> Args:
    return read_args(params)


@command_of(incident, "drop", "take mentions out of an incident\n\nID: I-2026-0001")
@_ID
@click.argument("mention_ids", nargs=-1, required=True, metavar="MENTION_ID...")
@demo_option
@common_options
def _incident_drop(**params: Any) -> Args:
    return read_args(params)


@command_of(
    incident,
    "reply",
    "answer every member in its own thread, paced; without a reply, resume sending\n\n"
    "ID: I-2026-0001",
)
@_ID
@click.option("--saved", metavar="NAME", help="the saved reply to fill for each member")
@click.option("--text", "template", metavar="TEXT", help="the reply, with {first_name}…")
@click.option("--yes", is_flag=True, help="send without asking")
@demo_option
@common_options
def _incident_reply(**params: Any) -> Args:
    return read_args(params)


@command_of(
    incident,
    "resolve",
    "resolve an incident; a follow-up, if given, goes to every member\n\nID: I-2026-0001",
)
@_ID
@click.option("--follow-up-saved", "saved", metavar="NAME", help="the saved follow-up")
@click.option("--follow-up", "template", metavar="TEXT", help="the follow-up's text")
@click.option("--yes", is_flag=True, help="send the follow-up without asking")
@demo_option
@common_options
def _incident_resolve(**params: Any) -> Args:
    return read_args(params)
