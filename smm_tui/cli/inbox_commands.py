"""The app, the demo, and the inbox's headless commands: mentions in, replies and figures out."""

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


@command("run", "open the app on your workspace (default)")
@common_options
def _run(**params: Any) -> Args:
    return read_args(params)


@command("demo", "open the app on a live demo workspace")
@click.option("--rate", type=float, metavar="N", help="demo mentions per minute, per account")
@common_options
def _demo(**params: Any) -> Args:
    return read_args(params)


@command("export", "write every mention out")
@format_option("jsonl", "csv")
@output_option
@query_option("only what the query selects (as / in the app)")
@demo_option
@common_options
def _export(**params: Any) -> Args:
    return read_args(params)


@command("import", "load mentions from JSONL")
@click.argument("file", metavar="FILE.jsonl", type=click.Path())
@common_options
def _import(**params: Any) -> Args:
    return read_args(params)


@command("poll", "fetch every account and publish what is due (forever, or --once)")
@click.option(
    "--once", is_flag=True, help="publish what is due, poll each account once, print lines, exit"
)
@common_options
def _poll(**params: Any) -> Args:
    return read_args(params)


@command(
    "reply",
    "send a reply through the outbox; prints its URL\n\nMENTION_ID: the mention's id (or a prefix)",
)
@click.argument("mention_id", metavar="MENTION_ID")
@click.option("--text", required=True, help="the reply")
@click.option(
    "--force",
    is_flag=True,
    help="send even if an earlier attempt may have been published (after checking by hand)",
)
@common_options
def _reply(**params: Any) -> Args:
    return read_args(params)


@command("doctor", "check config, tokens, connectivity and the store")
@demo_option
@common_options
def _doctor(**params: Any) -> Args:
    return read_args(params)


@command("report", "response times and the share within target")
@click.option("--days", type=int, default=30, metavar="N", help="the last N days")
@format_option("table", "csv")
@output_option
@query_option("only the mentions the query selects")
@demo_option
@common_options
def _report(**params: Any) -> Args:
    return read_args(params)


#: In the order ``smm-tui --help`` lists them.
COMMANDS: tuple[click.Command, ...] = (
    _run,
    _demo,
    _export,
    _import,
    _poll,
    _reply,
    _doctor,
    _report,
)
