"""UTM tags: only links to the brand's own domains, existing parameters kept, nothing else moved."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

import pytest

from smm_tui.core.utm import tag_links

TAGS = "utm_source=vk&utm_medium=social&utm_campaign=spring&utm_content=P1"


def tag(text: str, own: Iterable[str] = ("bank.ru",), campaign: str = "spring") -> str:
    return tag_links(text, source="vk", campaign=campaign, content="P1", own_domains=own)


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_a_link_to_an_own_domain_gets_every_tag() -> None:
    assert tag("Rates: https://bank.ru/rates") == f"Rates: https://bank.ru/rates?{TAGS}"
    assert tag("http://bank.ru") == f"http://bank.ru?{TAGS}"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.bank.ru/a",
        "https://cards.eu.bank.ru/a",
        "https://BANK.RU/a",
        "https://bank.ru./a",
    ],
)
def test_subdomains_and_case_are_own(url: str) -> None:
    assert tag(url) == f"{url}?{TAGS}"


@pytest.mark.parametrize(
    "url",
    [
        "https://notbank.ru/a",
        "https://bank.ru.evil.com/a",
        "https://bank.rus/a",
        "https://evil.com/?next=https%3A%2F%2Fbank.ru",
        "https://evil.com/bank.ru",
        "ftp://bank.ru/a",
    ],
)
def test_other_sites_are_not_tagged(url: str) -> None:
    assert tag(f"see {url} now") == f"see {url} now"


def test_a_link_without_a_scheme_is_kept_as_typed() -> None:
    assert tag("go to bank.ru/rates") == "go to bank.ru/rates"


def test_existing_parameters_are_kept_in_place() -> None:
    tagged = tag("https://bank.ru/a?q=a+b%20c&x=1&x=2")
    assert tagged == f"https://bank.ru/a?q=a+b%20c&x=1&x=2&{TAGS}"
    assert query_of(tagged)[:3] == [("q", "a b c"), ("x", "1"), ("x", "2")]


@pytest.mark.parametrize("key", ["utm_source", "UTM_SOURCE", "Utm_Source"])
def test_an_existing_utm_parameter_is_never_added_again(key: str) -> None:
    tagged = tag(f"https://bank.ru/a?{key}=newsletter")
    keys = [k.lower() for k, _ in query_of(tagged)]
    assert keys.count("utm_source") == 1
    assert tagged.startswith(f"https://bank.ru/a?{key}=newsletter&utm_medium=social")
    assert ("utm_content", "P1") in query_of(tagged)


def test_a_fully_tagged_link_is_left_alone_and_tagging_twice_changes_nothing() -> None:
    once = tag("https://bank.ru/a#top")
    assert tag(once) == once
    assert tag(f"https://bank.ru/a?{TAGS}") == f"https://bank.ru/a?{TAGS}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://bank.ru/a#top", f"https://bank.ru/a?{TAGS}#top"),
        ("https://bank.ru/a?x=1#top", f"https://bank.ru/a?x=1&{TAGS}#top"),
        ("https://bank.ru/#/app?route=1", f"https://bank.ru/?{TAGS}#/app?route=1"),
        ("https://bank.ru/a?#f", f"https://bank.ru/a?{TAGS}#f"),
    ],
)
def test_fragments_stay_last_and_whole(url: str, expected: str) -> None:
    assert tag(url) == expected


def test_idn_in_the_text_against_punycode_in_own_domains() -> None:
    text = "Вклад: https://банк.рф/вклады и https://www.банк.рф"
    assert tag(text, own=("xn--80ab2al.xn--p1ai",)) == (
        f"Вклад: https://банк.рф/вклады?{TAGS} и https://www.банк.рф?{TAGS}"
    )


def test_punycode_in_the_text_against_idn_in_own_domains() -> None:
    text = "https://xn--80ab2al.xn--p1ai/p and https://БАНК.РФ/p"
    assert tag(text, own=("банк.рф",)) == (
        f"https://xn--80ab2al.xn--p1ai/p?{TAGS} and https://БАНК.РФ/p?{TAGS}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See https://bank.ru/a.", f"See https://bank.ru/a?{TAGS}."),
        ("https://bank.ru/a, then", f"https://bank.ru/a?{TAGS}, then"),
        ("Really? https://bank.ru/a!", f"Really? https://bank.ru/a?{TAGS}!"),
        ("wait https://bank.ru/a...", f"wait https://bank.ru/a?{TAGS}..."),
        ("wait https://bank.ru/a…", f"wait https://bank.ru/a?{TAGS}…"),
        ("(https://bank.ru/a)", f"(https://bank.ru/a?{TAGS})"),
        ("(see https://bank.ru/a).", f"(see https://bank.ru/a?{TAGS})."),
        ("[https://bank.ru/a]", f"[https://bank.ru/a?{TAGS}]"),
        ("{https://bank.ru/a}", f"{{https://bank.ru/a?{TAGS}}}"),
        ("<https://bank.ru/a>", f"<https://bank.ru/a?{TAGS}>"),
        ("«https://bank.ru/a»", f"«https://bank.ru/a?{TAGS}»"),
        ('"https://bank.ru/a"', f'"https://bank.ru/a?{TAGS}"'),
        ("https://bank.ru/wiki/A_(b)", f"https://bank.ru/wiki/A_(b)?{TAGS}"),
        ("(https://bank.ru/wiki/A_(b)).", f"(https://bank.ru/wiki/A_(b)?{TAGS})."),
        ("https://bank.ru/a?x[]=1", f"https://bank.ru/a?x[]=1&{TAGS}"),
    ],
)
def test_punctuation_and_brackets_around_links_stay_outside(text: str, expected: str) -> None:
    assert tag(text) == expected


def test_an_empty_campaign_leaves_out_utm_campaign() -> None:
    tagged = tag("https://bank.ru/a", campaign="")
    assert tagged == "https://bank.ru/a?utm_source=vk&utm_medium=social&utm_content=P1"


def test_values_are_encoded() -> None:
    tagged = tag_links(
        "https://bank.ru/a",
        source="vk",
        campaign="весна & co",
        content="P1",
        own_domains=["bank.ru"],
    )
    assert ("utm_campaign", "весна & co") in query_of(tagged)
    assert " " not in tagged


def test_other_links_and_text_stay_byte_for_byte() -> None:
    others = (
        "Привет! ٱلسَّلَامُ https://evil.com/a?utm_source=x#y\n\t"
        "https://t.me/bank?start=1 http://[::1/broken https:// and @bank #tag 🎉"
    )
    text = f"{others} https://bank.ru/a {others}"
    assert tag(text) == f"{others} https://bank.ru/a?{TAGS} {others}"


@pytest.mark.parametrize("own", [(), ("",), ("  ",)])
def test_no_own_domains_leaves_the_text_unchanged(own: tuple[str, ...]) -> None:
    text = "https://bank.ru/a and https://evil.com"
    assert tag(text, own=own) == text
