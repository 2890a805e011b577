"""The publishing commands: ``post``, ``posts`` and ``growth``."""

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
    query_option,
    read_args,
)


@command(
    "post",
    "publish a post now (a line per account), or schedule it with --at\n\n"
    "ACCOUNT: the accounts to post to, as named in the config",
)
@click.argument("accounts", nargs=-1, metavar="[ACCOUNT]...")
@click.option("--text", "post_text", metavar="TEXT", help="the post")
@click.option(
    "--file",
    "text_file",
    metavar="FILE",
    type=click.Path(),
    help="read the post from FILE (-: stdin)",
)
@click.option(
    "--at",
    metavar="WHEN",
    help="schedule it: +30s, +10m, +2h, tomorrow 09:30 or ISO 8601 ([sla] timezone)",
)
@click.option("--campaign", metavar="NAME", default="", help="the campaign it belongs to")
@click.option(
    "--retry",
    metavar="POST_ID",
    help="send a post's failed deliveries again, looking first where it may be out",
)
@click.option(
    "--force",
    is_flag=True,
    help="with --retry: send even where it may be published (after checking by hand)",
)
@common_options
def _post(**params: Any) -> Args:
    return read_args(params)


@command("posts", "write every post's deliveries out, with status, URL and counters")
@format_option("jsonl", "csv")
@query_option("status:… account:… campaign:… platform:… and words of the text")
@output_option
@demo_option
@common_options
def _posts(**params: Any) -> Args:
    return read_args(params)


@command("growth", "write every follower reading out, per account")
@format_option("jsonl", "csv")
@click.option("--account", metavar="NAME", help="only this account")
@output_option
@demo_option
@common_options
def _growth(**params: Any) -> Args:
    return read_args(params)


#: In the order ``smm-tui --help`` lists them.
COMMANDS: tuple[click.Command, ...] = (_post, _posts, _growth)
