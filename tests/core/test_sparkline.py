"""Sparklines: counts scaled to eight heights, fitted to the cells there are."""

from __future__ import annotations

from smm_tui.core.sparkline import BARS, LEVEL, resample, sparkline


def test_values_span_the_lowest_to_the_highest_bar() -> None:
    assert sparkline([10, 20, 30, 40, 50, 60, 70, 80], 8) == BARS
    assert sparkline([5, 1], 10) == "█▁"


def test_a_steady_count_is_a_level_line_not_a_floor() -> None:
    assert sparkline([1200, 1200, 1200], 10) == LEVEL * 3


def test_no_values_or_no_room_draws_nothing() -> None:
    assert sparkline([], 10) == ""
    assert sparkline([1, 2, 3], 0) == ""


def test_more_values_than_cells_keep_the_last_of_each_run() -> None:
    values = list(range(720))  # hourly readings over 30 days
    cells = resample(values, 30)
    assert len(cells) == 30
    assert cells[0] == 23 and cells[-1] == 719  # the newest cell is the newest count
    assert len(sparkline(values, 30)) == 30
    assert resample([3, 4], 5) == [3, 4]


def test_a_fall_reads_as_a_fall() -> None:
    line = sparkline([900, 800, 700], 3)
    assert line[0] == BARS[-1] and line[-1] == BARS[0]
