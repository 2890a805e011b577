"""``smm-tui campaign``: create campaigns, add posts and contests, import their ad spend,
report figures.

``report`` writes one record per figure (``campaign, figure, scope, currency,
value, source``): a spreadsheet user filters or pivots it, every figure keeps
the note of where it came from beside it, money carries its currency on its
own row (two currencies are never added up), and a missing figure is an empty
cell (``null`` in JSON Lines), never 0.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from smm_tui.commands.errors import EXIT_FAILED, EXIT_USAGE, UserError, warn
from smm_tui.commands.reading import reading, write_out
from smm_tui.config import Config
from smm_tui.core.calendar import entries
from smm_tui.core.campaign_figures import Figure, figures_for
from smm_tui.core.campaigns import Campaign, CampaignError, CampaignService, campaign_id
from smm_tui.core.context import NotFound
from smm_tui.core.post_query import QueryError, parse_post_query
from smm_tui.core.records import write_records
from smm_tui.core.sanitize import one_line
from smm_tui.core.spend import parse_amount, parse_currency, read_spend_csv
from smm_tui.core.wording import plural
from smm_tui.runtime import open_workspace

#: ``campaign report``'s columns: one row per figure.
REPORT_FIELDS = ("campaign", "figure", "scope", "currency", "value", "source")
#: ``campaign list``'s columns.
LIST_FIELDS = ("name", "starts", "ends", "hashtags", "keywords", "budget", "currency", "utm")
_DAY_FORMS = ("%Y-%m-%d", "%d.%m.%Y")
#: Costs are exact quotients: a report shows them to this many places.
_PLACES = Decimal("0.0001")


def parse_day(option: str, text: str) -> date:
    """``YYYY-MM-DD`` or ``DD.MM.YYYY``; a usage error naming ``option`` otherwise."""
    for form in _DAY_FORMS:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise UserError(
        f"{option} {one_line(text)!r} is not a day (YYYY-MM-DD or DD.MM.YYYY)", EXIT_USAGE
    )


def _budget(given: tuple[str, str] | None) -> tuple[Decimal, str] | None:
    if given is None:
        return None
    amount, currency = parse_amount(given[0]), parse_currency(given[1])
    if amount is None:
        raise UserError(f"--budget {one_line(given[0])!r} is not an amount", EXIT_USAGE)
    if currency is None:
        raise UserError(f"--budget {one_line(given[1])!r} is not a currency", EXIT_USAGE)
    return amount, currency


def create_campaign(
    config: Config,
    data_dir: Path,
    name: str,
    starts: str,
    ends: str,
    *,
    hashtags: Iterable[str] = (),
    keywords: Iterable[str] = (),
    budget: tuple[str, str] | None = None,
) -> int:
    """Record a new campaign; prints it as one line."""
    first, last = parse_day("--from", starts), parse_day("--to", ends)
    if last < first:
        raise UserError(f"--to {last} is before --from {first}", EXIT_USAGE)
    money = _budget(budget)
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        warn(warnings)
        service = CampaignService(workspace.ctx)
        try:
            made = asyncio.run(
                service.create(
                    name, first, last, hashtags=hashtags, keywords=keywords, budget=money
                )
            )
        except CampaignError as exc:
            raise UserError(str(exc)) from None
    print(one_line(f"created campaign {made.name}: {made.starts} to {made.ends}, utm {made.utm}"))
    return 0


def add_posts(config: Config, data_dir: Path, name: str, query: str) -> int:
    """Add the posts of the Content plan that ``query`` selects to the campaign; prints how many.

    The query is the Content pane's filter (:mod:`smm_tui.core.post_query`), matched
    against each post on each of its accounts; a post is added once.
    """
    if not query.strip():
        raise UserError("--query is required: which posts to add", EXIT_USAGE)
    try:
        selects = parse_post_query(query)
    except QueryError as exc:
        raise UserError(f"--query: {one_line(str(exc))}", EXIT_USAGE) from None
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        warn(warnings)
        planning = workspace.planning
        zone = workspace.settings.publishing.zone
        placed = entries(planning.posts(), planning.deliveries(), zone)
        chosen = list(dict.fromkeys(e.post.id for e in placed if selects.matches(e)))
        if not chosen:
            raise UserError(f"no post matches {one_line(query)!r}")
        try:
            campaign, added = asyncio.run(CampaignService(workspace.ctx).add_posts(name, chosen))
        except NotFound as exc:  # no such campaign: the command line is wrong
            raise UserError(one_line(str(exc)), EXIT_USAGE) from None
        except CampaignError as exc:  # changed meanwhile: the same command may work again
            raise UserError(one_line(str(exc))) from None
    already = len(chosen) - added
    note = f" ({already} already in it)" if already else ""
    print(one_line(f"added {plural(added, 'post')} to campaign {campaign.name}{note}"))
    return 0


def link_contest(config: Config, data_dir: Path, name: str, contest: str) -> int:
    """Link a contest (its id, or its name) to the campaign; prints the link as one line.

    A contest that is not there, or a name several contests share, is a usage error.
    """
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        warn(warnings)
        service = CampaignService(workspace.ctx)
        try:
            found = service.contest(contest)
        except (NotFound, CampaignError) as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        try:
            link = asyncio.run(service.link_contest(name, found.id))
        except NotFound as exc:
            raise UserError(one_line(str(exc)), EXIT_USAGE) from None
        except CampaignError as exc:
            raise UserError(one_line(str(exc))) from None
    what = f"contest {link.contest.name} ({link.contest.id})"
    if link.added:
        print(one_line(f"linked {what} to campaign {link.campaign.name}"))
    else:
        print(one_line(f"{what} is linked to campaign {link.campaign.name} already"))
    return 0


def import_spend(config: Config, data_dir: Path, file: Path) -> int:
    """Keep a spend CSV's good rows; each bad row is a line on stderr, and the status is 1."""
    try:
        with file.open(encoding="utf-8", newline="") as handle:
            imported = read_spend_csv(handle, source_name=file.name)
    except UnicodeDecodeError:
        raise UserError(f"{file} is not UTF-8 text (save it as CSV UTF-8)") from None
    with open_workspace(data_dir, config, sources={}) as (workspace, warnings):
        warn(warnings)
        service = CampaignService(workspace.ctx)
        kept = asyncio.run(service.import_spend(imported))
        known = {campaign.id for campaign in service.all()}
    unknown = sorted(
        {row.campaign for row in imported.rows if campaign_id(row.campaign) not in known}
    )
    if unknown:
        warn([f"spend for campaigns not created yet: {', '.join(unknown)}"])
    for problem in imported.problems:
        print(f"smm-tui: {one_line(problem)}", file=sys.stderr)
    print(one_line(f"kept {plural(kept, 'spend row')} from {file}"))
    return EXIT_FAILED if imported.problems else 0


def report_campaign(
    data_dir: Path, config: Config, name: str, fmt: str, output_path: str | None, *, elsewhere: str
) -> int:
    """Write one record per figure of the campaign, as CSV or JSON Lines."""
    with reading(data_dir, config, "no campaigns", elsewhere) as workspace:
        try:
            campaign = CampaignService(workspace.ctx).get(name)
        except NotFound as exc:
            raise UserError(one_line(str(exc)), EXIT_USAGE) from None
        zone = workspace.settings.publishing.zone
        figures = figures_for(workspace.ctx, campaign, zone).figures
    records = [_figure_record(campaign, figure) for figure in figures]
    return write_out(
        output_path, "figure", lambda out: write_records(records, REPORT_FIELDS, fmt, out)
    )


def list_campaigns(
    data_dir: Path, config: Config, fmt: str, output_path: str | None, *, elsewhere: str
) -> int:
    """Write one record per campaign, earliest first."""
    with reading(data_dir, config, "no campaigns", elsewhere) as workspace:
        campaigns = CampaignService(workspace.ctx).all()
    records = [_campaign_record(campaign) for campaign in campaigns]
    return write_out(
        output_path, "campaign", lambda out: write_records(records, LIST_FIELDS, fmt, out)
    )


def _figure_record(campaign: Campaign, figure: Figure) -> dict[str, object]:
    return {
        "campaign": campaign.name,
        "figure": figure.name,
        "scope": figure.scope,
        "currency": figure.currency,
        "value": _shown(figure.value),
        "source": figure.source,
    }


def _shown(value: object) -> object:
    """A figure's value for a file: money as exact text, a share rounded, None kept."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        exact = value.quantize(_PLACES) if isinstance(exponent, int) and exponent < -4 else value
        return format(exact, "f")
    if isinstance(value, float):
        return round(value, 6)
    return value


def _campaign_record(campaign: Campaign) -> dict[str, object]:
    return {
        "name": campaign.name,
        "starts": campaign.starts.isoformat(),
        "ends": campaign.ends.isoformat(),
        "hashtags": list(campaign.hashtags),
        "keywords": list(campaign.keywords),
        "budget": _shown(campaign.budget),
        "currency": campaign.currency,
        "utm": campaign.utm,
    }
