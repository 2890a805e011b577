"""``smm-tui contest``: contests' draws; ``verify`` checks a draw's proof file offline."""

from __future__ import annotations

from typing import Any

import click

from smm_tui.cli.args import Args
from smm_tui.cli.options import command_of, group, help_without_command, read_args


@group("contest", "check contest draws")
def contest() -> None:
    """The ``contest`` group; named alone, its help."""
    help_without_command()


@command_of(
    contest,
    "verify",
    "check a draw's proof file offline: its hashes, beacon signature and winners\n\n"
    "PROOF.json: the proof file a draw published. Prints 'valid' and notes (exit 0), or "
    "'invalid:' and the first mismatch (exit 1). Needs no data dir, config or network.",
)
@click.argument("file", metavar="PROOF.json", type=click.Path())
def _contest_verify(**params: Any) -> Args:
    return read_args(params)
