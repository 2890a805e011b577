"""How long a reply may be on each network, counted the way that network counts.

Pure: the composer, the outbox and the adapters all measure a reply with the
same functions, so the counter in the UI never disagrees with what is sent.
Each network's limit and unit come from :mod:`smm_tui.core.platforms`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType

import regex

from smm_tui.core.models import Platform
from smm_tui.core.platforms import PLATFORMS, Counting, spec

__all__ = ["REPLY_LIMITS", "grapheme_count", "graphemes", "reply_length", "x_weighted_length"]

#: The longest reply each network accepts, in the unit :func:`reply_length` counts.
REPLY_LIMITS: Mapping[Platform, int] = MappingProxyType(
    {platform: entry.reply_limit for platform, entry in PLATFORMS.items()}
)

# Extended grapheme clusters by the Unicode rules (UAX #29), as Bluesky's maxGraphemes counts.
_GRAPHEME = regex.compile(r"\X")

# twitter-text v3: these code point ranges weigh 1, everything else 2.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_X_URL_WEIGHT = 23
_X_EMOJI_WEIGHT = 2
# A cluster is one emoji when it starts with one (a keycap's digit is no emoji by itself).
_EMOJI_START = regex.compile(
    r"\p{Extended_Pictographic}|\p{Regional_Indicator}|[0-9#*]\ufe0f?\u20e3"
)

# The top-level domains that make a bare "name.tld" a link. Source: twitter-text v3's
# valid_cctld (every ASCII country code, 254) and, of its 1,144 generic TLDs, the common ones
# and the Cyrillic ones. A bare domain under any other generic TLD ("shop.bar") is counted as
# text here though X links it: the full list is too long to keep in step by hand.
_COUNTRY_TLDS = """
ad ae af ag ai al am an ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br
bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec
ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy
hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la
lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my
mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs
ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl
tm tn to tp tr tt tv tw tz ua ug uk um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
рф укр бел қаз срб мкд мон бг ею
"""
_GENERIC_TLDS = """
com net org info biz edu gov mil int name pro mobi asia app dev xyz online site website shop
store tech blog club live news media email link page cloud space world agency design art top
москва онлайн сайт рус орг ком дети
"""
_TLDS = sorted((_COUNTRY_TLDS + _GENERIC_TLDS).split(), key=len, reverse=True)
# twitter-text's character classes, from its regexp/ folder.
_LATIN = r"a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_PATH_CHAR = rf"[{_LATIN}\u0400-\u04ff!*';:=+,.$/%#\[\]\-\u2013_~@|&]"
_PATH_END = rf"[{_LATIN}\u0400-\u04ff+\-=_#/]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_PATH = rf"/(?:(?:{_PATH_CHAR}|{_PARENS})*(?:{_PATH_END}|{_PARENS}))?"
_QUERY = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"
_TLD_END = r"(?=[^0-9a-z@+-]|$)"
_LABEL = rf"[{_LATIN}](?:[{_LATIN}-]*[{_LATIN}])?"
_NOT_AFTER = r"A-Za-z0-9@＠$#＃"
_KNOWN_TLD = rf"(?:xn--[a-z0-9-]+|{'|'.join(_TLDS)}){_TLD_END}"
# A link with a scheme may have any letters in its host (X puts it through IDNA) and, beyond
# the known TLDs, any ASCII one: a pasted link under a TLD missing above still counts 23.
# A bare domain must be ASCII (or Latin) names under a known TLD, and not follow "-", "_",
# "." or "/"; its port and query belong to the link only with a path ("bank.com?a=1" is a
# link and then text, in which no other link is looked for), as twitter-text rules.
_X_URL_PATTERN = (
    rf"(?<![{_NOT_AFTER}])https?://(?:[^\W_](?:[\w-]*[^\W_])?\.)+"
    rf"(?:{_KNOWN_TLD}|[a-z]{{2,}}{_TLD_END})(?::[0-9]+)?(?:{_PATH})?(?:{_QUERY})?"
    rf"|(?<![{_NOT_AFTER}\-_./])(?P<domain>(?:{_LABEL}\.)+{_KNOWN_TLD})"
    rf"(?::[0-9]+)?(?P<path>{_PATH})?(?:{_QUERY})?"
)


def reply_length(platform: Platform, text: str) -> int:
    """The length of ``text`` as ``platform`` counts it against :data:`REPLY_LIMITS`.

    The unit is the network's :attr:`~smm_tui.core.platforms.PlatformSpec.counting`:
    twitter-text weighted length on X, graphemes on Bluesky, characters elsewhere.
    """
    return _COUNTERS[spec(platform).counting](text)


def x_weighted_length(text: str) -> int:
    """The twitter-text v3 weighted length of ``text``.

    The text is NFC-normalised; every link counts 23 (``https://…`` and a bare
    ``bank.com`` alike), every emoji (sequence) counts 2, code points in the light
    ranges (Latin, Cyrillic, Arabic, general punctuation, ...) count 1 and all
    others (CJK, ...) count 2.
    """
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _x_url().finditer(text):
        total += _x_plain_weight(text[position : match.start()]) + _X_URL_WEIGHT
        bare_without_path = match["domain"] is not None and match["path"] is None
        position = match.end("domain") if bare_without_path else match.end()
    return total + _x_plain_weight(text[position:])


def grapheme_count(text: str) -> int:
    """How many user-perceived characters (extended grapheme clusters) ``text`` has.

    By Unicode's UAX #29 rules: a ZWJ emoji sequence, a flag, a decomposed Hangul
    syllable, an Indic conjunct and a character with its marks each count as one.
    """
    return len(_GRAPHEME.findall(text))


def graphemes(text: str) -> Iterator[str]:
    """The grapheme clusters of ``text`` in order, as :func:`grapheme_count` sees them."""
    return (match.group() for match in _GRAPHEME.finditer(text))


@functools.cache
def _x_url() -> re.Pattern[str]:
    # Compiled at first use: its classes and TLDs take ~20 ms, which importing
    # the core (the command line, a headless command) need not pay.
    return re.compile(_X_URL_PATTERN, re.IGNORECASE)


def _x_plain_weight(text: str) -> int:
    return sum(_x_cluster_weight(cluster) for cluster in graphemes(text))


def _x_cluster_weight(cluster: str) -> int:
    if _is_emoji(cluster):
        return _X_EMOJI_WEIGHT
    return sum(_x_code_point_weight(ord(char)) for char in cluster)


def _is_emoji(cluster: str) -> bool:
    return _EMOJI_START.match(cluster) is not None


def _x_code_point_weight(code: int) -> int:
    if any(low <= code <= high for low, high in _X_LIGHT_RANGES):
        return 1
    return 2


_COUNTERS: Mapping[Counting, Callable[[str], int]] = {
    Counting.CHARACTERS: len,
    Counting.GRAPHEMES: grapheme_count,
    Counting.X_WEIGHTED: x_weighted_length,
}
