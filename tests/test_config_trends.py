"""[trends]: sensitivity, min_count, quiet hours and ignored words, and their one-line errors."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from smm_tui.config import example_config, load_config
from smm_tui.config.model import TrendsConfig
from smm_tui.core.spikes import QuietHours, TrendSettings
from tests.config_kit import ENV, Writer, error_of


def test_defaults_are_the_watch_defaults(write: Writer) -> None:
    trends = load_config(write("user = 'a'\n"), ENV).trends
    assert trends == TrendsConfig()
    assert trends.settings(ZoneInfo("UTC")) == TrendSettings(zone=ZoneInfo("UTC"))


def test_the_example(write: Writer) -> None:
    trends = load_config(write(example_config()), ENV).trends
    assert trends.sensitivity == "normal" and trends.min_count == 5
    assert trends.quiet_hours == (QuietHours(time(22), time(8)),)
    assert trends.ignore == ("банк", "bank")


def test_table_to_settings(write: Writer) -> None:
    text = (
        '[sla]\ntimezone = "Europe/Moscow"\n'
        '[trends]\nsensitivity = "low"\nmin_count = 8\n'
        'quiet_hours = ["22:00-08:00", "13:00-14:00"]\nignore = ["#акция", "карта"]\n'
    )
    config = load_config(write(text), ENV)
    settings = config.trends.settings(ZoneInfo(config.sla.timezone))
    assert settings.alpha == 1e-6 and settings.min_count == 8
    assert settings.quiet == (QuietHours(time(22), time(8)), QuietHours(time(13), time(14)))
    assert settings.ignored == ("#акция", "карта")
    assert settings.zone == ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(("word", "alpha"), [("low", 1e-6), ("normal", 1e-4), ("high", 1e-3)])
def test_sensitivity_words(write: Writer, word: str, alpha: float) -> None:
    config = load_config(write(f'[trends]\nsensitivity = "{word}"\n'), ENV)
    assert config.trends.alpha == alpha


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'sensitivity = "max"',
            "'trends.sensitivity' must be one of low, normal, high, got \"max\"",
        ),
        ("sensitivity = 1e-4", "'trends.sensitivity' must be one of low, normal, high, got 0.0001"),
        ("min_count = 0", "'trends.min_count' must be a whole number from 1 to 10000, got 0"),
        (
            'quiet_hours = "22-08"',
            '\'trends.quiet_hours\' must be a range such as "22:00-08:00", got "22-08"',
        ),
        (
            'quiet_hours = "09:00-09:00"',
            '\'trends.quiet_hours\' must be a range such as "22:00-08:00", got "09:00-09:00"',
        ),
        (
            'quiet_hours = ["22:00-08:00", "25:00-01:00"]',
            '\'trends.quiet_hours[1]\' must be a range such as "22:00-08:00", got "25:00-01:00"',
        ),
        ('ignore = ["bank", "bank"]', "'trends.ignore[1]' repeats \"bank\""),
        (
            'ignore = ["не работает"]',
            "'trends.ignore[0]' must be a word or #hashtag without spaces, got \"не работает\"",
        ),
        ('ignore = [""]', "'trends.ignore[0]' must be a non-empty string, got \"\""),
    ],
)
def test_bad_values_name_the_key(write: Writer, line: str, expected: str) -> None:
    assert error_of(write(f"[trends]\n{line}\n")) == expected


def test_unknown_trends_key(write: Writer) -> None:
    message = error_of(write("[trends]\nmin_cout = 3\n"))
    assert message == "unknown key 'trends.min_cout' (did you mean 'min_count'?)"
