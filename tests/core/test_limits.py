from smm_tui.core.limits import (
    REPLY_LIMITS,
    grapheme_count,
    graphemes,
    reply_length,
    x_weighted_length,
)
from smm_tui.core.models import Platform

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
FLAG_RU = "\U0001f1f7\U0001f1fa"
FLAG_UA = "\U0001f1fa\U0001f1e6"
THUMBS_UP_MEDIUM = "\U0001f44d\U0001f3fd"
KEYCAP_ONE = "1\ufe0f\u20e3"
RED_HEART = "\u2764\ufe0f"


def test_every_platform_has_a_limit() -> None:
    assert set(REPLY_LIMITS) == set(Platform)
    assert REPLY_LIMITS[Platform.X] == 280
    assert REPLY_LIMITS[Platform.MASTODON] == 500
    assert REPLY_LIMITS[Platform.BLUESKY] == 300
    assert REPLY_LIMITS[Platform.TELEGRAM] == 4096
    assert REPLY_LIMITS[Platform.VK] == 4096
    assert REPLY_LIMITS[Platform.DEMO] == 1000


def test_x_counts_every_url_as_23() -> None:
    long_url = "https://bank.example/support/cards/blocked?utm_source=x&utm_medium=reply"
    assert x_weighted_length(long_url) == 23
    assert x_weighted_length("http://a.example") == 23
    assert x_weighted_length(f"see {long_url} and {long_url}") == 4 + 23 + 5 + 23


def test_x_leaves_trailing_punctuation_outside_the_url() -> None:
    assert x_weighted_length("Details: https://bank.example/help.") == len("Details: ") + 23 + 1


def test_x_weighs_cjk_twice_and_cyrillic_arabic_once() -> None:
    assert x_weighted_length("日本語") == 6
    assert x_weighted_length("Привет") == 6
    assert x_weighted_length("مرحبا") == 5
    assert x_weighted_length("ok 中文") == 3 + 4


def test_x_weight_one_punctuation_ranges() -> None:
    assert x_weighted_length("\u2014\u201c\u2019\u2032") == 4  # em dash, quotes, prime
    assert x_weighted_length("\u2026") == 2  # ellipsis lies outside the light ranges


def test_x_counts_emoji_sequences_as_two() -> None:
    assert x_weighted_length("👍") == 2
    assert x_weighted_length(FAMILY) == 2
    assert x_weighted_length(FLAG_RU) == 2
    assert x_weighted_length(THUMBS_UP_MEDIUM) == 2
    assert x_weighted_length(RED_HEART) == 2
    assert x_weighted_length(KEYCAP_ONE) == 2


def test_x_normalises_to_nfc_first() -> None:
    assert x_weighted_length("e\u0301") == 1


def test_x_gives_russian_the_full_280() -> None:
    assert x_weighted_length("я" * 280) == 280


def test_bluesky_counts_a_zwj_family_as_one_grapheme() -> None:
    assert grapheme_count(FAMILY) == 1
    assert grapheme_count(f"hi {FAMILY}!") == 5


def test_bluesky_counts_flags_in_pairs() -> None:
    assert grapheme_count(FLAG_RU) == 1
    assert grapheme_count(FLAG_RU + FLAG_UA) == 2
    assert grapheme_count(FLAG_RU + "\U0001f1fa") == 2  # a lone indicator stands alone


def test_graphemes_join_marks_modifiers_and_selectors() -> None:
    assert grapheme_count(THUMBS_UP_MEDIUM) == 1
    assert grapheme_count(KEYCAP_ONE) == 1
    assert grapheme_count(RED_HEART) == 1
    assert grapheme_count("e\u0301") == 1
    assert grapheme_count("\r\n") == 1
    assert grapheme_count("") == 0
    assert list(graphemes("ab" + FLAG_RU)) == ["a", "b", FLAG_RU]


def test_graphemes_do_not_glue_marks_to_controls() -> None:
    assert grapheme_count("\n\u0301") == 2


def test_reply_length_picks_the_networks_unit() -> None:
    url = "https://bank.example/a/long/path/to/a/help/page"
    assert reply_length(Platform.X, url) == 23
    assert reply_length(Platform.BLUESKY, FAMILY) == 1
    assert reply_length(Platform.MASTODON, FAMILY) == len(FAMILY)
    assert reply_length(Platform.VK, "Привет") == 6
    assert reply_length(Platform.TELEGRAM, url) == len(url)
    assert reply_length(Platform.DEMO, "abc") == 3
