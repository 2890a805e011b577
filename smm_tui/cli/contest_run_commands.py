"""``smm-tui contest``'s steps: create, rules, commit, close, draw, proof, announce, export, list.

They join the ``contest`` group of :mod:`smm_tui.cli.contest_commands` (whose
``verify`` needs no data dir); each names a contest by its id or its name.
"""

from __future__ import annotations

from typing import Any

import click

from smm_tui.cli.args import Args
from smm_tui.cli.contest_commands import contest
from smm_tui.cli.options import (
    command_of,
    common_options,
    demo_option,
    format_option,
    output_option,
    read_args,
)

__all__ = ["contest"]

_CONTEST = click.argument("contest", metavar="CONTEST")
_YES = click.option("--yes", is_flag=True, help="post it without asking")


@command_of(contest, "list", "write every contest out, with where it stands")
@format_option("jsonl", "csv")
@output_option
@demo_option
@common_options
def _contest_list(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "create",
    "start a contest on a post of one account; its comments are the entries\n\n"
    "NAME: the contest's name",
)
@click.argument("name", metavar="NAME")
@click.option("--account", required=True, metavar="ACCOUNT", help="the account whose post it is")
@click.option("--post", required=True, metavar="POST_ID", help="the network's id of the post")
@click.option("--rules", "file", metavar="RULES.toml", help="its rules file (see docs/draw.md)")
@demo_option
@common_options
def _contest_create(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "rules",
    "give a contest its rules file, or write the one it has\n\n"
    "CONTEST: its id or name. RULES.toml: the file (left out: the contest's rules are written)",
)
@_CONTEST
@click.argument("file", metavar="[RULES.toml]", required=False, default="")
@demo_option
@common_options
def _contest_rules(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "commit",
    "before entries close: post the draw commitment (the rules' hash and a future drand "
    "round) on the contest post\n\nCONTEST: its id or name",
)
@_CONTEST
@click.option(
    "--freeze-within",
    default="1h",
    show_default=True,
    metavar="DURATION",
    help="how long after the close the drawing round is: the time to check and freeze entries",
)
@_YES
@demo_option
@common_options
def _contest_commit(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "close",
    "once entries closed: ask the networks about the entrants (membership, account age) "
    "and freeze the valid entries\n\nCONTEST: its id or name",
)
@_CONTEST
@demo_option
@common_options
def _contest_close(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "draw",
    "draw on the committed drand round once it is out, verified; it waits, never re-rolls\n\n"
    "CONTEST: its id or name",
)
@_CONTEST
@click.option(
    "--unverifiable",
    is_flag=True,
    help="draw now from a local seed instead (labelled: nobody can check it was not re-rolled)",
)
@click.option("--yes", is_flag=True, help="with --unverifiable: draw without asking")
@demo_option
@common_options
def _contest_draw(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "proof",
    "write the proof of a contest's draw, for smm-tui contest verify\n\nCONTEST: its id or name",
)
@_CONTEST
@output_option
@demo_option
@common_options
def _contest_proof(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "announce",
    "post the winners and the commitment on the contest post\n\nCONTEST: its id or name",
)
@_CONTEST
@click.option(
    "--saved", metavar="NAME", help="the saved reply to word it (default: tagged contest-winners)"
)
@_YES
@demo_option
@common_options
def _contest_announce(**params: Any) -> Args:
    return read_args(params)


@command_of(
    contest,
    "export",
    "write every comment on the contest's posts with its status and, if rejected, why\n\n"
    "CONTEST: its id or name",
)
@_CONTEST
@format_option("csv", "jsonl")
@output_option
@demo_option
@common_options
def _contest_export(**params: Any) -> Args:
    return read_args(params)
