"""Reading a spend export from CSV: its header, its rows, and a line per problem.

Headers are matched leniently (case, spaces, Russian and English names, a unit
in brackets such as ``Spend (USD)``), the delimiter is sniffed from the header
(``,`` ``;`` or tab), and each cell is read as :mod:`smm_tui.core.spend_rows`
reads it. A bad row is reported with its line number and the good rows are kept.

Problems quote the file's own text: show them as plain text, never as markup.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TextIO

from smm_tui.core.spend_rows import (
    SpendRow,
    parse_amount,
    parse_count,
    parse_currency,
    parse_day,
    parse_network,
    quoted,
    split_amount,
)

__all__ = ["SpendImport", "read_spend_csv"]


@dataclass(frozen=True, slots=True)
class SpendImport:
    """What a spend file held: its good rows, and one line per problem found."""

    rows: tuple[SpendRow, ...]
    #: ``spend.csv line 7: spend "abc" is not an amount``; the file's text, never markup.
    problems: tuple[str, ...]


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
            first = quoted(cells[columns[column]])
            wrong.append(f"columns {first} and {quoted(cell)} both mean {column}")
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
    day = parse_day(cell("date"))
    if day is None:
        wrong.append(f"date {quoted(cell('date'))} is not a day (YYYY-MM-DD or DD.MM.YYYY)")
    network = parse_network(cell("network"))
    if network is None:
        wrong.append(f"network {quoted(cell('network'))} is not one the app knows")
    campaign = " ".join(cell("campaign").split())
    if not campaign:
        wrong.append("the campaign is empty")
    written, sign = split_amount(cell("spend"))
    spend = parse_amount(written)
    if spend is None:
        wrong.append(f"spend {quoted(cell('spend'))} is not an amount")
    currency, unclear = _row_currency(
        cell("currency"), sign, header.spend_currency, default_currency
    )
    if unclear:
        wrong.append(unclear)
    counts: dict[str, int | None] = {}
    for column in ("impressions", "clicks"):
        try:
            counts[column] = parse_count(cell(column))
        except ValueError:
            wrong.append(f"{column} {quoted(cell(column))} is not a whole number")
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
                return None, f"currency {quoted(text)} is not one the app knows"
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
