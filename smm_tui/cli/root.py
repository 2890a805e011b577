"""The ``smm-tui`` group: the shared options, ``--version``, and every command in order."""

from __future__ import annotations

from typing import Any

import click

from smm_tui import __version__
from smm_tui.cli import (
    campaign_commands,
    contest_run_commands,
    inbox_commands,
    incident_commands,
    publishing_commands,
    reply_commands,
    ticket_commands,
    trend_commands,
)
from smm_tui.cli.args import Args
from smm_tui.cli.options import PROG, InOrder, common_options


@click.group(
    name=PROG,
    cls=InOrder,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="A keyboard-driven inbox for social-media managers.",
)
@click.version_option(__version__, prog_name=PROG, message="%(prog)s %(version)s")
@common_options
def cli(**common: Any) -> Args | None:
    """``smm-tui`` alone runs the app; a sub-command's callback reads the line instead."""
    if click.get_current_context().invoked_subcommand is None:
        return Args(command="run", **common)
    return None


for _command in (
    *inbox_commands.COMMANDS,
    *publishing_commands.COMMANDS,
    *trend_commands.COMMANDS,
    ticket_commands.ticket,
    reply_commands.replies,
    campaign_commands.campaign,
    incident_commands.incident,
    # The group of contest_commands (verify), with the steps contest_run_commands adds.
    contest_run_commands.contest,
):
    cli.add_command(_command)
