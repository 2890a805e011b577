"""Spend exports: lenient headers, Russian and English forms, bad rows, and costs per currency."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_tui.core.platforms import Platform
from smm_tui.core.spend import (
    SpendImport,
    SpendRow,
    cost_figures,
    parse_amount,
    read_spend_csv,
    spend_row_id,
)


def read(text: str, *, currency: str | None = None) -> SpendImport:
    return read_spend_csv(io.StringIO(text, newline=""), source_name="spend.csv", currency=currency)


EN = """Date,Network,Campaign,Spend,Currency,Impressions,Clicks
2024-05-01,vk,Spring sale,1200.50,USD,"10,000",40
2024-05-01,Twitter,Spring sale,300,usd,5000,
"""

RU = (
    "Дата;Площадка;Название кампании;Расход;Валюта;Показы;Переходы\r\n"
    "01.05.2024;ВКонтакте;Весна;1\u00a0234,56;руб;12 000;150\r\n"
    "02.05.2024;телеграм;Весна;99,9;₽;;\r\n"
)


def test_an_english_export_with_commas_is_read() -> None:
    result = read(EN)

    assert result.problems == ()
    vk, x = result.rows
    assert vk == SpendRow(
        day=date(2024, 5, 1),
        network=Platform.VK,
        campaign="Spring sale",
        spend=Decimal("1200.50"),
        currency="USD",
        impressions=10000,
        clicks=40,
    )
    assert (x.network, x.spend, x.currency, x.clicks) == (Platform.X, Decimal(300), "USD", None)


def test_a_russian_export_with_semicolons_decimal_commas_and_dotted_days_is_read() -> None:
    result = read(RU)

    assert result.problems == ()
    first, second = result.rows
    assert (first.day, first.network, first.campaign) == (date(2024, 5, 1), Platform.VK, "Весна")
    assert (first.spend, first.currency, first.impressions, first.clicks) == (
        Decimal("1234.56"),
        "RUB",
        12000,
        150,
    )
    assert (second.day, second.network, second.spend) == (
        date(2024, 5, 2),
        Platform.TELEGRAM,
        Decimal("99.9"),
    )
    assert (second.impressions, second.clicks) == (None, None)


def test_a_byte_order_mark_tabs_and_loose_header_spelling_are_accepted() -> None:
    text = (
        "\ufeff DATE \tPLATFORM\tcampaign_name\tAmount Spent (EUR)\tExtra\n"
        "01/05/2024\tx\tA\t€7\tz\n"
    )

    result = read(text)

    assert result.problems == ()
    (row,) = result.rows
    assert (row.day, row.network, row.spend, row.currency) == (
        date(2024, 5, 1),
        Platform.X,
        Decimal(7),
        "EUR",
    )


def test_bad_rows_are_reported_by_line_and_the_good_ones_kept() -> None:
    text = (
        "date,network,campaign,spend,currency\n"
        "2024-05-01,vk,Good,10,RUB\n"
        "2024-05-01,vk,Money,abc,RUB\n"
        "\n"
        "2024-13-01,vk,Day,10,RUB\n"
        "2024-05-02,myspace,Network,10,RUB\n"
        "2024-05-02,tg,  ,10,RUB\n"
        "2024-05-03,tg,Good,5,RUB\n"
    )

    result = read(text)

    assert [row.campaign for row in result.rows] == ["Good", "Good"]
    assert result.problems == (
        'spend.csv line 3: spend "abc" is not an amount',
        'spend.csv line 5: date "2024-13-01" is not a day (YYYY-MM-DD or DD.MM.YYYY)',
        'spend.csv line 6: network "myspace" is not one the app knows',
        "spend.csv line 7: the campaign is empty",
    )


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers_true() -> None:
    text = (
        "date,network,campaign,spend,currency\n"
        '2024-05-01,vk,"Two\nlines",10,RUB\n'
        "2024-05-01,vk,B,x,RUB\n"
    )

    result = read(text)

    assert [row.campaign for row in result.rows] == ["Two lines"]
    assert result.problems == ('spend.csv line 4: spend "x" is not an amount',)


def test_a_missing_column_is_one_problem_naming_it_and_the_header_and_no_rows() -> None:
    result = read("Дата;Площадка;Показы\n01.05.2024;vk;100\n")

    assert result.rows == ()
    assert result.problems == (
        'spend.csv line 1: no "campaign" and "spend" column in the header (Дата, Площадка, Показы)',
    )


def test_currency_comes_from_the_argument_only_when_the_file_does_not_say() -> None:
    text = "date,network,campaign,spend\n2024-05-01,vk,A,10\n2024-05-01,vk,B,$5\n"

    assert read(text).problems == (
        "spend.csv line 2: no currency (no currency column, sign or default)",
    )
    assert [row.currency for row in read(text, currency="руб").rows] == ["RUB", "USD"]
    with pytest.raises(ValueError, match="not a currency"):
        read(text, currency="gold")


def test_a_currency_written_twice_must_agree() -> None:
    result = read("date,network,campaign,spend,currency\n2024-05-01,vk,A,$5,RUB\n")

    assert result.rows == ()
    assert result.problems == ("spend.csv line 2: the currencies RUB, USD disagree",)


def test_the_same_row_has_one_id_and_a_second_import_replaces_it() -> None:
    first, again = read(RU).rows[0], read(RU).rows[0]
    other_currency = SpendRow(
        day=first.day,
        network=first.network,
        campaign=first.campaign,
        spend=Decimal(1),
        currency="USD",
    )

    assert first.id == again.id == spend_row_id(date(2024, 5, 1), Platform.VK, "Весна", "RUB")
    assert other_currency.id != first.id
    assert SpendRow.from_record(first.to_record()) == first
    assert first.to_record()["spend"] == "1234.56"
    assert first.to_record()["day"] == "2024-05-01"


def test_rows_of_one_campaign_day_in_one_file_are_added_up() -> None:
    text = (
        "date,network,campaign,spend,currency,clicks\n"
        "2024-05-01,vk,A,1.10,RUB,2\n"
        "2024-05-01,vk,A,2.25,RUB,3\n"
    )

    (row,) = read(text).rows

    assert (row.spend, row.clicks) == (Decimal("3.35"), 5)


def test_two_currencies_are_never_mixed() -> None:
    text = (
        "date,network,campaign,spend,currency,impressions,clicks\n"
        "2024-05-01,vk,Весна,1000,RUB,20000,50\n"
        "2024-05-02,vk,Весна,500,RUB,10000,25\n"
        "2024-05-01,x,Spring,30,USD,4000,12\n"
    )
    rows = read(text).rows

    figures = cost_figures(
        rows,
        engagements={"Весна": 300, "Spring": 10},
        new_followers={"Весна": 30, "Spring": 0},
        comments={"Весна": 60},
    )

    rub, usd = figures["RUB"], figures["USD"]
    assert (rub.spend, rub.impressions, rub.clicks) == (Decimal(1500), 30000, 75)
    assert rub.cpm == Decimal(50)  # 1500 / 30000 * 1000
    assert rub.cpc == Decimal(20)  # 1500 / 75
    assert rub.cost_per_engagement == Decimal(5)  # 1500 / 300
    assert rub.cost_per_new_follower == Decimal(50)  # 1500 / 30
    assert rub.cost_per_comment == Decimal(25)  # 1500 / 60
    assert (usd.spend, usd.cpm, usd.cpc) == (Decimal(30), Decimal("7.5"), Decimal("2.5"))
    assert usd.cost_per_engagement == Decimal(3)
    # Zero new followers and no comment count: nothing to divide by, so None (never 0).
    assert (usd.new_followers, usd.cost_per_new_follower) == (0, None)
    assert (usd.comments, usd.cost_per_comment) == (None, None)


def test_costs_are_none_where_a_count_is_unknown_or_split_between_currencies() -> None:
    rows = [
        SpendRow(date(2024, 5, 1), Platform.VK, "Both", Decimal(100), "RUB", impressions=0),
        SpendRow(date(2024, 5, 1), Platform.X, "Both", Decimal(2), "USD", impressions=None),
    ]

    figures = cost_figures(rows, engagements={"Both": 10}, new_followers={}, comments={})

    for code in ("RUB", "USD"):
        assert figures[code].cpm is None
        assert figures[code].cpc is None
        assert figures[code].engagements is None
        assert figures[code].cost_per_engagement is None
    assert (figures["RUB"].impressions, figures["USD"].impressions) == (0, None)


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_an_amount_survives_the_ways_exports_write_it(amount: Decimal) -> None:
    dotted = f"{amount:.2f}"
    written = {
        dotted,
        dotted.replace(".", ","),
        f"{amount:,.2f}",
        f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ","),
        f"{amount:,.2f}".replace(",", " ").replace(".", ","),
        f"{amount:,.2f}".replace(",", "#").replace(".", ",").replace("#", "."),
    }

    for text in written:
        assert parse_amount(text) == amount, text
    row = SpendRow(date(2024, 5, 1), Platform.VK, "A", Decimal(dotted), "RUB")
    assert SpendRow.from_record(row.to_record()).spend == amount
    assert row.to_record()["spend"] == dotted
