"""``smm-tui campaign``: create campaigns, add posts and contests to them, import their ad
spend, report their figures."""

from __future__ import annotations

import dataclasses
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


@group("campaign", "create campaigns, import their ad spend, report their figures")
def campaign() -> None:
    """The ``campaign`` group; named alone, its help."""
    help_without_command()


@command_of(
    campaign,
    "create",
    "record a campaign: its period (days, inclusive), hashtags, keywords and budget\n\n"
    "NAME: the campaign's name (posts name it with --campaign)",
)
@click.argument("name", metavar="NAME")
@click.option("--from", "starts", required=True, metavar="DATE", help="its first day")
@click.option("--to", "ends", required=True, metavar="DATE", help="its last day")
@click.option("--hashtag", "hashtags", multiple=True, metavar="TAG", help="a hashtag (repeat)")
@click.option("--keyword", "keywords", multiple=True, metavar="WORD", help="a keyword (repeat)")
@click.option("--budget", nargs=2, metavar="AMOUNT CURRENCY", help="its budget, e.g. 50000 RUB")
@common_options
def _campaign_create(**params: Any) -> Args:
    return read_args(params)


@command_of(
    campaign,
    "add-posts",
    "add the Content plan's posts a query selects to a campaign\n\n"
    "NAME: the campaign's name. The query is the Content pane's filter: words or "
    '"a phrase" in the text, status:, account:, campaign:, platform:',
)
@click.argument("name", metavar="NAME")
@query_option("the posts to add (required), e.g. --query 'spring sale status:published'")
@common_options
def _campaign_add_posts(**params: Any) -> Args:
    return read_args(params)


@command_of(
    campaign,
    "link-contest",
    "link a contest to a campaign: its entries count for it, its comments are its mentions\n\n"
    "NAME: the campaign's name. CONTEST: the contest's id, or its name as the contest pane "
    "lists it",
)
@click.argument("name", metavar="NAME")
@click.argument("contest", metavar="CONTEST")
@common_options
def _campaign_link_contest(**params: Any) -> Args:
    return read_args(params)


@group("spend", "the campaigns' ad spend")
def _campaign_spend() -> None:
    help_without_command()


campaign.add_command(_campaign_spend)


@_campaign_spend.command(
    "import",
    help="keep a spend CSV's rows; a bad row is named with its line, the good are kept",
    short_help="keep a spend CSV's rows",
)
@click.argument("file", metavar="FILE.csv", type=click.Path())
@common_options
def _campaign_spend_import(**params: Any) -> Args:
    # Three levels deep: read_args names a command by its group and itself only.
    return dataclasses.replace(read_args(params), command="campaign spend import")


@command_of(campaign, "report", "write every figure of a campaign, with where it came from")
@click.argument("name", metavar="NAME")
@format_option("csv", "jsonl")
@output_option
@demo_option
@common_options
def _campaign_report(**params: Any) -> Args:
    return read_args(params)


@command_of(campaign, "list", "write every campaign out")
@format_option("jsonl", "csv")
@output_option
@demo_option
@common_options
def _campaign_list(**params: Any) -> Args:
    return read_args(params)
