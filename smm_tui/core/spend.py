"""Ad spend: the rows of a spend export, read from CSV, and what the money bought.

A spend export has a row per day, network and campaign: ``date, network,
campaign, spend, currency, impressions, clicks``. The row and the reading of
its cells are in :mod:`smm_tui.core.spend_rows`, the reading of a whole CSV
file in :mod:`smm_tui.core.spend_csv`, their public names re-exported here.
This module works out what the money bought.

Money is :class:`~decimal.Decimal`, never float, and currencies are never mixed:
:func:`cost_figures` works out each currency's figures from its own spend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from smm_tui.core.spend_csv import SpendImport as SpendImport
from smm_tui.core.spend_csv import read_spend_csv as read_spend_csv
from smm_tui.core.spend_rows import SpendRow as SpendRow
from smm_tui.core.spend_rows import parse_amount as parse_amount
from smm_tui.core.spend_rows import parse_currency as parse_currency
from smm_tui.core.spend_rows import spend_row_id as spend_row_id

__all__ = [
    "CostFigures",
    "SpendImport",
    "SpendRow",
    "cost_figures",
    "parse_amount",
    "parse_currency",
    "read_spend_csv",
    "spend_row_id",
]


@dataclass(frozen=True, slots=True)
class CostFigures:
    """One currency's spend and what it cost per thing; None where there is nothing to divide by.

    Costs are exact quotients, unrounded: round them for display.
    """

    currency: str
    spend: Decimal
    #: Totals over the currency's rows; None unless every row gives it.
    impressions: int | None
    clicks: int | None
    #: Totals over the currency's campaigns; None unless every one of them has a count.
    engagements: int | None
    new_followers: int | None
    comments: int | None
    #: Cost per thousand impressions.
    cpm: Decimal | None
    #: Cost per click.
    cpc: Decimal | None
    cost_per_engagement: Decimal | None
    cost_per_new_follower: Decimal | None
    cost_per_comment: Decimal | None


def _cost(spend: Decimal, count: int | None, per: int = 1) -> Decimal | None:
    return None if not count else spend * per / count


def _row_total(rows: Sequence[SpendRow], count: str) -> int | None:
    values = [getattr(row, count) for row in rows]
    return None if None in values else sum(values)


def _campaign_total(
    campaigns: Iterable[str], counts: Mapping[str, int], shared: set[str]
) -> int | None:
    """A count summed over campaigns; None if one has no count or spends in other currencies."""
    total = 0
    for campaign in campaigns:
        if campaign in shared or campaign not in counts:
            return None
        total += counts[campaign]
    return total


def cost_figures(
    rows: Iterable[SpendRow],
    *,
    engagements: Mapping[str, int],
    new_followers: Mapping[str, int],
    comments: Mapping[str, int],
) -> dict[str, CostFigures]:
    """Each currency's figures, from its own rows only: currencies are never mixed.

    The counts are per campaign name. A campaign that spent in more than one
    currency cannot have its counts split between them, so the figures per
    engagement, new follower and comment of those currencies are None, as they
    are when a campaign of the currency has no count or the total is zero.
    """
    by_currency: dict[str, list[SpendRow]] = {}
    for row in rows:
        by_currency.setdefault(row.currency, []).append(row)
    currencies_of: dict[str, set[str]] = {}
    for code, its_rows in by_currency.items():
        for row in its_rows:
            currencies_of.setdefault(row.campaign, set()).add(code)
    shared = {campaign for campaign, codes in currencies_of.items() if len(codes) > 1}
    figures = {}
    for code, its_rows in sorted(by_currency.items()):
        spend = sum((row.spend for row in its_rows), Decimal(0))
        campaigns = dict.fromkeys(row.campaign for row in its_rows)
        impressions = _row_total(its_rows, "impressions")
        clicks = _row_total(its_rows, "clicks")
        engaged = _campaign_total(campaigns, engagements, shared)
        followed = _campaign_total(campaigns, new_followers, shared)
        commented = _campaign_total(campaigns, comments, shared)
        figures[code] = CostFigures(
            currency=code,
            spend=spend,
            impressions=impressions,
            clicks=clicks,
            engagements=engaged,
            new_followers=followed,
            comments=commented,
            cpm=_cost(spend, impressions, per=1000),
            cpc=_cost(spend, clicks),
            cost_per_engagement=_cost(spend, engaged),
            cost_per_new_follower=_cost(spend, followed),
            cost_per_comment=_cost(spend, commented),
        )
    return figures
