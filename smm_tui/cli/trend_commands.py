"""The listening commands: ``trends`` and ``alerts``."""

from __future__ import annotations

from typing import Any

import click

from smm_tui.cli.args import Args
from smm_tui.cli.options import (
    command,
    common_options,
    demo_option,
    format_option,
    output_option,
    read_args,
)


@command(
    "trends",
    "write the terms and hashtags rising against the last 7 days, with example mention ids",
)
@click.option(
    "--window",
    type=click.Choice(("1h", "1d")),
    default="1h",
    help="the last hour or the last day",
)
@format_option("jsonl", "csv")
@output_option
@demo_option
@common_options
def _trends(**params: Any) -> Args:
    return read_args(params)


@command("alerts", "write the spike alerts of the last 8 days: time, kind, scope and count")
@format_option("jsonl", "csv")
@output_option
@demo_option
@common_options
def _alerts(**params: Any) -> Args:
    return read_args(params)


#: In the order ``smm-tui --help`` lists them.
COMMANDS: tuple[click.Command, ...] = (_trends, _alerts)
