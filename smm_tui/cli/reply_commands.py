"""``smm-tui replies``: the saved replies."""

from __future__ import annotations

from typing import Any

from smm_tui.cli.args import Args
from smm_tui.cli.options import (
    common_options,
    demo_option,
    format_option,
    group,
    help_without_command,
    read_args,
)


@group("replies", "the saved replies")
def replies() -> None:
    """The ``replies`` group; named alone, its help."""
    help_without_command()


@replies.command(
    "list", help="list the saved replies, their fields and what stops any", short_help="list them"
)
@format_option("table", "jsonl")
@demo_option
@common_options
def _replies_list(**params: Any) -> Args:
    return read_args(params)
