"""How long a reply may be on each network, counted the way that network counts.

Pure: the composer, the outbox and the adapters all measure a reply with the
same functions, so the counter in the UI never disagrees with what is sent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from smm_tui.core.models import Platform

#: The longest reply each network accepts, in the unit :func:`reply_length` counts.
REPLY_LIMITS: dict[Platform, int] = {
    # twitter-text v3 weighted length (docs/platform-apis.md §3, [X9]).
    Platform.X: 280,
    # mastodon.social's configuration.statuses.max_characters; instances may differ ([M6]).
    Platform.MASTODON: 500,
    # app.bsky.feed.post text maxGraphemes ([B2]).
    Platform.BLUESKY: 300,
    # sendMessage text is 1-4096 characters (docs/platform-apis.md §6, unconfirmed there).
    Platform.TELEGRAM: 4096,
    # Provisional. docs/platform-apis.md §2/§11: VK's wall comment limit "not found". The
    # only VK text limit we could source is the community-kept table SevereCloud/vk-limits
    # (src/data.ts, "Чаты → Длина сообщения: примерно до 4096 байт"), which is for chat
    # messages, not wall.createComment. We use its 4096 until a real VK rejection
    # (error 100 on a long message) tells us the true figure.
    Platform.VK: 4096,
    Platform.DEMO: 1000,
}

# twitter-text v3: these code point ranges weigh 1, everything else 2.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_X_URL_WEIGHT = 23
_X_EMOJI_WEIGHT = 2
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
# Sentence punctuation right after a link belongs to the sentence, not the URL.
_URL_TRAILING = ".,:;!?'\")]}»…"

# Approximates Unicode's Extended_Pictographic without a data file.
_PICTOGRAPHIC_RANGES = (
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x21AA),
    (0x231A, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
    (0x1F000, 0x1FAFF),
)
_ZWJ = "\u200d"
_ZWNJ = "\u200c"
_VS16 = "\ufe0f"
_KEYCAP = "\u20e3"


def reply_length(platform: Platform, text: str) -> int:
    """The length of ``text`` as ``platform`` counts it against :data:`REPLY_LIMITS`.

    X counts twitter-text weighted length, Bluesky counts graphemes, every other
    network counts characters.
    """
    if platform is Platform.X:
        return x_weighted_length(text)
    if platform is Platform.BLUESKY:
        return grapheme_count(text)
    return len(text)


def x_weighted_length(text: str) -> int:
    """The twitter-text v3 weighted length of ``text``.

    The text is NFC-normalised; every http(s) URL counts 23, every emoji
    (sequence) counts 2, code points in the light ranges (Latin, Cyrillic,
    Arabic, general punctuation, ...) count 1 and all others (CJK, ...) count 2.
    """
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        if "://" not in url or url.endswith("://"):
            continue
        total += _x_plain_weight(text[position : match.start()]) + _X_URL_WEIGHT
        position = match.start() + len(url)
    return total + _x_plain_weight(text[position:])


def grapheme_count(text: str) -> int:
    """How many user-perceived characters (extended grapheme clusters) ``text`` has.

    An approximation of Unicode UAX #29 without extra dependencies: a character
    plus its combining marks, variation selectors, emoji modifiers and tags, a
    ZWJ-joined emoji sequence, a regional-indicator pair (a flag) and CR LF each
    count as one. Hangul jamo sequences and prepended marks are not joined.
    """
    return sum(1 for _ in graphemes(text))


def graphemes(text: str) -> Iterator[str]:
    """The grapheme clusters of ``text`` in order, as :func:`grapheme_count` sees them."""
    cluster = ""
    for char in text:
        if cluster and _continues(cluster, char):
            cluster += char
            continue
        if cluster:
            yield cluster
        cluster = char
    if cluster:
        yield cluster


def _continues(cluster: str, char: str) -> bool:
    previous = cluster[-1]
    if previous == _ZWJ:
        return True
    if previous == "\r":
        return char == "\n"
    if _is_control(previous) or _is_control(char):
        return False
    if _is_extender(char):
        return True
    if _is_regional(char) and _is_regional(previous):
        return _trailing_regionals(cluster) % 2 == 1
    return False


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _is_extender(char: str) -> bool:
    code = ord(char)
    return (
        char in (_ZWJ, _ZWNJ)
        or unicodedata.combining(char) != 0
        or unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _trailing_regionals(cluster: str) -> int:
    count = 0
    for char in reversed(cluster):
        if not _is_regional(char):
            break
        count += 1
    return count


def _x_plain_weight(text: str) -> int:
    return sum(_x_cluster_weight(cluster) for cluster in graphemes(text))


def _x_cluster_weight(cluster: str) -> int:
    if _is_emoji(cluster):
        return _X_EMOJI_WEIGHT
    return sum(_x_code_point_weight(ord(char)) for char in cluster)


def _is_emoji(cluster: str) -> bool:
    code = ord(cluster[0])
    if any(low <= code <= high for low, high in _PICTOGRAPHIC_RANGES):
        return True
    return _VS16 in cluster or _KEYCAP in cluster


def _x_code_point_weight(code: int) -> int:
    if any(low <= code <= high for low, high in _X_LIGHT_RANGES):
        return 1
    return 2
