"""Ad spend: the rows of a spend export, read from CSV, and what the money bought.

A spend export has a row per day, network and campaign: ``date, network,
campaign, spend, currency, impressions, clicks``. Headers are matched leniently
(case, spaces, Russian and English names, a unit in brackets such as
``Spend (USD)``), the delimiter is sniffed from the header (``,`` ``;`` or tab),
and amounts may be written the Russian way (``1 234,56``). A bad row is
reported with its line number and the good rows are kept.

Money is :class:`~decimal.Decimal`, never float, and currencies are never mixed:
:func:`cost_figures` works out each currency's figures from its own spend.

Problems quote the file's own text: show them as plain text, never as markup.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Final, TextIO

from smm_tui.core.codec import Recorded, stored
from smm_tui.core.platforms import Platform
from smm_tui.core.query_fields import SPELLINGS

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


def spend_row_id(day: date, network: Platform, campaign: str, currency: str) -> str:
    """A spend row's id, from its natural key: a re-import replaces rather than doubles."""
    key = "\x1f".join((day.isoformat(), network.value, campaign, currency)).encode()
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def _amount_from_record(value: object) -> Decimal:
    amount = parse_amount(str(value))
    if amount is None:
        raise ValueError(f"spend {value!r} is not an amount")
    return amount


def _amount_to_record(amount: Decimal) -> str:
    # "f" keeps the exact digits without an exponent (str() would write 1E-7).
    return format(amount, "f")


@dataclass(frozen=True, slots=True)
class SpendRow(Recorded):
    """What one campaign spent on one network on one day, in one currency."""

    day: date = field(metadata=stored(encode=date.isoformat, decode=date.fromisoformat))
    network: Platform
    campaign: str
    spend: Decimal = field(metadata=stored(encode=_amount_to_record, decode=_amount_from_record))
    #: ISO 4217, upper case ("RUB").
    currency: str
    impressions: int | None = None
    clicks: int | None = None

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """Derived from day, network, campaign and currency (see :func:`spend_row_id`)."""
        return spend_row_id(self.day, self.network, self.campaign, self.currency)


@dataclass(frozen=True, slots=True)
class SpendImport:
    """What a spend file held: its good rows, and one line per problem found."""

    rows: tuple[SpendRow, ...]
    #: ``spend.csv line 7: spend "abc" is not an amount``; the file's text, never markup.
    problems: tuple[str, ...]


# -- cells ------------------------------------------------------------------------------

#: Currency signs and local names → ISO 4217. Any three Latin letters are taken as a code.
_CURRENCIES: Final[Mapping[str, str]] = {
    "₽": "RUB",
    "р": "RUB",
    "р.": "RUB",
    "руб": "RUB",
    "руб.": "RUB",
    "рубль": "RUB",
    "рубли": "RUB",
    "рублей": "RUB",
    "rur": "RUB",
    "$": "USD",
    "us$": "USD",
    "€": "EUR",
    "евро": "EUR",
    "£": "GBP",
    "₸": "KZT",
    "тенге": "KZT",
    "₴": "UAH",
    "грн": "UAH",
    "грн.": "UAH",
    "br": "BYN",
}
_ISO_CODE = re.compile(r"[A-Za-z]{3}")


def parse_currency(text: str) -> str | None:
    """The ISO 4217 code ``text`` names (a sign such as ``₽``, a local name, ``usd``), or None."""
    name = text.strip().casefold()
    if name in _CURRENCIES:
        return _CURRENCIES[name]
    return name.upper() if _ISO_CODE.fullmatch(name) else None


#: Spaces that group thousands: plain, no-break, narrow no-break and thin.
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
#: Written forms of an amount → how to make it plain digits with a dot.
_AMOUNT_FORMS: Final[tuple[tuple[re.Pattern[str], str, str], ...]] = (
    (re.compile(r"\d+"), "", ""),
    (re.compile(r"\d{1,3}( \d{3})+([.,]\d+)?"), " ", ","),  # 1 234,56 and 1 234.56
    # A comma before exactly three digits groups thousands (1,234); money has two decimals.
    (re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?"), ",", ""),  # 1,234.56
    (re.compile(r"\d{1,3}(\.\d{3})+,\d+"), ".", ","),  # 1.234,56
    (re.compile(r"\d+,\d+"), "", ","),  # 1234,56
    (re.compile(r"\d+\.\d+"), "", ""),  # 1234.56
)


def parse_amount(text: str) -> Decimal | None:
    """The non-negative amount ``text`` writes, exactly; None if it is not one.

    Takes ``1234.56``, ``1234,56``, ``1 234,56`` (any kind of space),
    ``1,234.56`` and ``1.234,56``. A leading ``+`` is allowed; a sign of
    currency is not (see :func:`read_spend_csv`, which splits it off).
    """
    plain = _SPACES.sub(" ", text.strip()).removeprefix("+")
    for form, grouping, decimal_mark in _AMOUNT_FORMS:
        if form.fullmatch(plain):
            if grouping:
                plain = plain.replace(grouping, "")
            if decimal_mark:
                plain = plain.replace(decimal_mark, ".")
            try:
                return Decimal(plain)
            except InvalidOperation:  # pragma: no cover - the forms admit only digits
                return None
    return None


#: A sign or code of currency written before or after an amount ("$12.50", "1 234,56 ₽").
_AMOUNT_WITH_CURRENCY = re.compile(
    r"(?P<before>[^\d\s+-][^\d\s]*)?\s*(?P<amount>[+-]?\d[\d\s.,\u00a0\u202f\u2009]*?)\s*"
    r"(?P<after>[^\d\s.,][^\d]*)?",
)


def _split_amount(text: str) -> tuple[str, str | None]:
    """The amount part of a spend cell and the currency written with it, if any."""
    match = _AMOUNT_WITH_CURRENCY.fullmatch(text.strip())
    if match is None or (match["before"] and match["after"]):
        return text, None
    sign = match["before"] or match["after"]
    return match["amount"], sign


#: What an export writes in a count it does not have.
_NO_VALUE: Final = frozenset({"", "-", "--", "—", "–", "n/a", "н/д"})
_COUNT = re.compile(r"\d{1,3}([ ,.]\d{3})+|\d+")


def _parse_count(text: str) -> int | None:
    """A whole count, thousands grouped or not; raises ValueError if it is not one."""
    plain = _SPACES.sub(" ", text.strip())
    if plain.casefold() in _NO_VALUE:
        return None
    if not _COUNT.fullmatch(plain):
        raise ValueError(plain)
    return int(re.sub(r"[ ,.]", "", plain))


_DATE_FORMATS: Final = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def _parse_day(text: str) -> date | None:
    """The day ``YYYY-MM-DD``, ``DD.MM.YYYY`` or ``DD/MM/YYYY`` writes, or None."""
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


#: Russian and long names of the networks, beside the query's own spellings.
_NETWORKS: Final[Mapping[str, str]] = {
    **SPELLINGS["platform"],
    "вк": "vk",
    "вконтакте": "vk",
    "vkontakte": "vk",
    "телеграм": "telegram",
    "телеграмм": "telegram",
    "твиттер": "x",
    "мастодон": "mastodon",
}


def _parse_network(text: str) -> Platform | None:
    name = _NETWORKS.get(text.strip().casefold().replace("ё", "е"))
    return Platform(name) if name else None


def _quoted(text: str, limit: int = 40) -> str:
    """A cell's text for a problem line: on one line, and not too long."""
    flat = " ".join(text.split())
    return f'"{flat if len(flat) <= limit else flat[: limit - 1] + "…"}"'


# -- the header -------------------------------------------------------------------------

_REQUIRED: Final = ("date", "network", "campaign", "spend")

#: Header names (casefolded, spaces collapsed, ё as е) → the column they mean.
_ALIASES: Final[Mapping[str, str]] = {
    alias: column
    for column, aliases in {
        "date": ("date", "day", "дата", "день"),
        "network": ("network", "platform", "сеть", "площадка", "соцсеть"),
        "campaign": (
            "campaign",
            "campaign name",
            "кампания",
            "название кампании",
            "рекламная кампания",
        ),
        "spend": (
            "spend",
            "spent",
            "amount spent",
            "cost",
            "amount",
            "расход",
            "расходы",
            "затраты",
            "стоимость",
            "потрачено",
        ),
        "currency": ("currency", "валюта"),
        "impressions": ("impressions", "показы"),
        "clicks": ("clicks", "клики", "переходы"),
    }.items()
    for alias in aliases
}
#: A unit in brackets after a header name: "Spend (USD)", "Расход, ₽".
_UNIT = re.compile(r"(?P<name>.*?)\s*(?:\((?P<bracketed>[^()]*)\)|,\s*(?P<after_comma>\S+))")


@dataclass(frozen=True, slots=True)
class _Header:
    """Which cell of a row holds each known column; the spend column's unit, if it names one."""

    columns: Mapping[str, int]
    spend_currency: str | None


def _column_name(cell: str) -> tuple[str, str]:
    """A header cell's name as the aliases spell it, and its unit (or "")."""
    name = " ".join(cell.replace("_", " ").split()).casefold().replace("ё", "е")
    match = _UNIT.fullmatch(name)
    if match is None:
        return name, ""
    return match["name"], match["bracketed"] or match["after_comma"] or ""


def _read_header(cells: Sequence[str]) -> tuple[_Header, list[str]]:
    """The header's columns, and what is wrong with it (a missing or doubled column)."""
    columns: dict[str, int] = {}
    spend_currency = None
    wrong = []
    for index, cell in enumerate(cells):
        name, unit = _column_name(cell)
        column = _ALIASES.get(name)
        if column is None:
            continue
        if column in columns:
            first = _quoted(cells[columns[column]])
            wrong.append(f"columns {first} and {_quoted(cell)} both mean {column}")
            continue
        columns[column] = index
        if column == "spend" and unit:
            spend_currency = parse_currency(unit)
    missing = [column for column in _REQUIRED if column not in columns]
    if missing:
        found = ", ".join(" ".join(cell.split()) for cell in cells if cell.strip())
        names = " and ".join(f'"{column}"' for column in missing)
        wrong.append(f"no {names} column in the header ({found or 'empty'})")
    return _Header(columns, spend_currency), wrong


# -- rows -------------------------------------------------------------------------------


def _read_row(
    cells: Sequence[str], header: _Header, default_currency: str | None
) -> SpendRow | list[str]:
    """The row the cells make, or what is wrong with them."""

    def cell(column: str) -> str:
        index = header.columns.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    wrong: list[str] = []
    day = _parse_day(cell("date"))
    if day is None:
        wrong.append(f"date {_quoted(cell('date'))} is not a day (YYYY-MM-DD or DD.MM.YYYY)")
    network = _parse_network(cell("network"))
    if network is None:
        wrong.append(f"network {_quoted(cell('network'))} is not one the app knows")
    campaign = " ".join(cell("campaign").split())
    if not campaign:
        wrong.append("the campaign is empty")
    written, sign = _split_amount(cell("spend"))
    spend = parse_amount(written)
    if spend is None:
        wrong.append(f"spend {_quoted(cell('spend'))} is not an amount")
    currency, unclear = _row_currency(
        cell("currency"), sign, header.spend_currency, default_currency
    )
    if unclear:
        wrong.append(unclear)
    counts: dict[str, int | None] = {}
    for column in ("impressions", "clicks"):
        try:
            counts[column] = _parse_count(cell(column))
        except ValueError:
            wrong.append(f"{column} {_quoted(cell(column))} is not a whole number")
    if wrong or day is None or network is None or spend is None or currency is None:
        return wrong
    return SpendRow(
        day=day,
        network=network,
        campaign=campaign,
        spend=spend,
        currency=currency,
        impressions=counts["impressions"],
        clicks=counts["clicks"],
    )


def _row_currency(
    written: str, sign: str | None, header_unit: str | None, default: str | None
) -> tuple[str | None, str]:
    """The row's currency code, or "" and what is unclear about it.

    The currency cell, a sign written with the amount and the spend column's unit
    must agree; the ``currency`` argument is the fallback when none says.
    """
    said: list[str] = []
    for text in (written, sign):
        if text:
            code = parse_currency(text)
            if code is None:
                return None, f"currency {_quoted(text)} is not one the app knows"
            said.append(code)
    if header_unit:
        said.append(header_unit)
    if len(set(said)) > 1:
        return None, f"the currencies {', '.join(dict.fromkeys(said))} disagree"
    chosen = said[0] if said else default
    return chosen, "" if chosen else "no currency (no currency column, sign or default)"


def _merged(rows: Iterable[SpendRow]) -> tuple[SpendRow, ...]:
    """Rows with the same id added up (an export by ad set has several a campaign-day)."""
    by_id: dict[str, SpendRow] = {}
    for row in rows:
        seen = by_id.get(row.id)
        by_id[row.id] = row if seen is None else _added(seen, row)
    return tuple(by_id.values())


def _added(first: SpendRow, second: SpendRow) -> SpendRow:
    def total(a: int | None, b: int | None) -> int | None:
        return None if a is None or b is None else a + b

    return SpendRow(
        day=first.day,
        network=first.network,
        campaign=first.campaign,
        spend=first.spend + second.spend,
        currency=first.currency,
        impressions=total(first.impressions, second.impressions),
        clicks=total(first.clicks, second.clicks),
    )


def read_spend_csv(
    text_stream: TextIO, *, source_name: str, currency: str | None = None
) -> SpendImport:
    """The spend rows of a CSV export, and a line for each problem.

    ``source_name`` names the file in the problems. ``currency`` is the currency
    of rows that do not say (no currency column, no sign, no unit in the spend
    header); it is read as :func:`parse_currency` reads, and a ValueError if it
    is not a currency. A missing column is one problem and no rows; a bad row is
    left out with its problems, and the good rows are kept. Rows with the same
    day, network, campaign and currency are added up into one.
    """
    default = None
    if currency is not None:
        default = parse_currency(currency)
        if default is None:
            raise ValueError(f"{currency!r} is not a currency")
    text = text_stream.read().removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: _Header | None = None
    rows: list[SpendRow] = []
    problems: list[str] = []
    line = 1
    for cells in reader:
        at, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header, wrong = _read_header(cells)
            if wrong:
                return SpendImport((), tuple(f"{source_name} line {at}: {w}" for w in wrong))
            continue
        read = _read_row(cells, header, default)
        if isinstance(read, SpendRow):
            rows.append(read)
        else:
            problems.extend(f"{source_name} line {at}: {w}" for w in read)
    if header is None:
        problems.append(f"{source_name}: empty, no header")
    return SpendImport(_merged(rows), tuple(problems))


# -- what the money bought --------------------------------------------------------------


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
