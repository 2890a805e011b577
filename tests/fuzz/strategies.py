"""Hostile network text: what an attacker can put in a mention, a name, a handle or a URL."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import unicodedata
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st

from smm_tui.core.models import Author, Mention, Platform
from tests.conftest import T0

MARKUP = (
    "[bold]",
    "[/]",
    "[/bold]",
    "[b red on blue]",
    "[@click=app.quit]x[/]",
    "[@click=app.quit]",
    "[@click=screen.dismiss()]",
    "[@click=app.bell]ring[/]",
    "[link=https://evil.example]https://bank.example[/link]",
    "[link='https://evil.example']",
    "[link=",
    "[/link]",
    "[$accent]",
    "$text-error",
    "[on $error]",
    "[reverse blink]",
    ":smile:",
    "[",
    "]",
    "\\[",
    "[[",
    "]]",
    "[/@click]",
    "{x}",
)
ESCAPES = (
    "\x1b[2J",
    "\x1b[3J",
    "\x1b[6n",
    "\x1b[21t",
    "\x1b[31;5;47;9m",
    "\x1b[0m",
    "\x1b[?1049l",
    "\x1b[?1000h",
    "\x1b]0;title\x07",
    "\x1b]2;pwned\x1b\\",
    "\x1b]8;;http://evil\x1b\\",
    "\x1b]8;;\x1b\\",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1bP+q544e\x1b\\",
    "\x1bPq#0;2;0;0;0\x1b\\",
    "\x1b_Gf=100;AAAA\x1b\\",
    "\x1b^pm\x1b\\",
    "\x1bXsos\x1b\\",
    "\x1bc",
    "\x1b7",
    "\x1b#8",
    "\x9b2J",
    "\x9b31m",
    "\x9d0;title\x9c",
    "\x90q\x9c",
    "\x9e",
    "\x9f",
    "\x85",
    "\r\n",
    "\r",
)
C0 = tuple(chr(c) for c in range(0x20))
C1 = tuple(chr(c) for c in range(0x80, 0xA0))
CONTROLS = (*C0, "\x7f", *C1)
BIDI = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069")
BIDI_MARKS = ("\u200e", "\u200f", "\u061c")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad")
LINE_SEPARATORS = ("\u2028", "\u2029")
COMBINING = ("\u0301", "\u0308", "\u0336", "\u20dd", "\u0489", "\u0e31", "\u064b", "\u0651")
EMOJI = (
    "👨\u200d👩\u200d👧\u200d👦",
    "🏳️\u200d🌈",
    "👩🏽\u200d💻",
    "🧑\u200d🤝\u200d🧑",
    "🇷🇺",
    "1\ufe0f\u20e3",
    "❤️",
    "🫶🏾",
)
SCRIPTS = ("привет", "مرحبا", "中文字", "עברית", "𝕳𝖊𝖑𝖑𝖔", "İß", "\u00a0", "\u3000", "\t", "\n", " ")
#: Halves of surrogate pairs, as JSON from a network may carry them (``"\\ud83d"`` alone).
SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00")

#: Everything :mod:`smm_tui.core.sanitize` replaces by a visible marker in a handle or name.
MARKED_IN_IDENTITIES = (*CONTROLS, *BIDI, *BIDI_MARKS, *ZERO_WIDTH)

_TOKENS = (
    *MARKUP,
    *ESCAPES,
    *CONTROLS,
    *BIDI,
    *BIDI_MARKS,
    *ZERO_WIDTH,
    *LINE_SEPARATORS,
    *COMBINING,
    *EMOJI,
    *SCRIPTS,
    *SURROGATES,
)


def _interleave(tokens: list[str], filler: str) -> str:
    """``tokens`` spread evenly through ``filler``."""
    step = max(1, len(filler) // (len(tokens) + 1))
    parts = []
    for n, token in enumerate(tokens):
        parts += [filler[n * step : (n + 1) * step], token]
    parts.append(filler[len(tokens) * step :])
    return "".join(parts)


# Two draws a string, not one per piece: drawing is most of what a fast check costs.
# Lone surrogates come from the tokens; any other character from ``st.characters()``.

#: A message body: markup, escape sequences, controls, bidi, emoji, lone surrogates, any text.
texts = st.builds(_interleave, st.lists(st.sampled_from(_TOKENS), max_size=8), st.text(max_size=16))

#: A handle or display name: short, with the same hostile pieces.
identities = st.builds(
    _interleave, st.lists(st.sampled_from(_TOKENS), max_size=3), st.text(max_size=8)
)

#: A URL: mostly http(s), sometimes another scheme, with hostile pieces anywhere.
urls = st.builds(
    "{}{}{}".format,
    st.sampled_from(
        ("https://", "http://", "HTTPS://", " https://", "javascript:", "data:text/html,", "")
    ),
    st.sampled_from(("evil.example/", "bank.example/", "t.me/c/1/", "")),
    identities,
)

#: Mention bodies of at least 100,000 characters: a hostile piece repeated (few examples).
large_texts = st.builds(
    lambda chunk, tail: (chunk * (100_000 // len(chunk) + 1)) + tail,
    texts.filter(bool),
    texts,
)

#: Characters a handle is made of when checking it cannot pass for another: visible ones only.
_VISIBLE_BASE = "abcdnkoe01_.-@[]()/" + "аео" + "٠١" + "🌿😀" + "e\u0301"
#: Characters that are invisible or reorder text unless the sanitiser marks them.
#: Tab, newline and carriage return are left out: in a handle each is one space, as a space is.
INVISIBLE = tuple(c for c in MARKED_IN_IDENTITIES if c not in "\t\n\r")

visible_handles = st.text(st.sampled_from(_VISIBLE_BASE), min_size=1, max_size=12)
hostile_handles = st.text(
    st.sampled_from(_VISIBLE_BASE + "".join(INVISIBLE)), min_size=1, max_size=12
)


def examples(*, ci: int, fuzz: int) -> int:
    """How many examples a test that costs more than a text's check runs, by profile."""
    if settings.get_current_profile_name() == "fuzz":
        return fuzz
    return min(ci, settings().max_examples)


_external_ids = itertools.count(1)


def mention(
    text: str = "hello", *, handle: str = "@anna", name: str = "Anna", url: str = ""
) -> Mention:
    """A mention as an adapter would hand it over, with an id no other test example uses."""
    number = next(_external_ids)
    return Mention(
        platform=Platform.VK,
        account="bank-vk",
        external_id=f"fz{number}",
        author=Author(id=f"u{number}", handle=handle, display_name=name),
        text=text,
        created_at=T0 + timedelta(seconds=number % 86_400),
        url=url,
        root_external_id="post-1",
        parent_external_id="post-1",
    )


@dataclasses.dataclass(frozen=True)
class Fields:
    """The untrusted fields of one mention."""

    text: str
    handle: str
    name: str
    url: str

    def mention(self) -> Mention:
        """A fresh mention carrying these fields."""
        return mention(self.text, handle=self.handle, name=self.name, url=self.url)


fields = st.builds(Fields, texts, identities, identities, urls)


def as_from_json(sent: Fields) -> Fields:
    """The fields as a network's JSON delivers them once parsed.

    JSON escapes a string one UTF-16 unit at a time, so a high and a low
    surrogate written next to each other come back as the one character they
    encode; lone halves stay lone.
    """
    return Fields(*(json.loads(json.dumps(value)) for value in dataclasses.astuple(sent)))


# --- what must still show -------------------------------------------------------------------

#: The Unicode Default_Ignorable_Code_Point set (DerivedCoreProperties.txt): what a terminal
#: draws as nothing. Two strings that differ only by these look the same.
DEFAULT_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
_NOT_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: str) -> str:
    """The characters of ``text`` that are meant to be seen.

    Not controls, formats or surrogates, and nothing a terminal draws as nothing
    (an identity shows those as markers such as ``⟨U+FE0F⟩``, not as themselves).
    """
    return "".join(
        c
        for c in text
        if unicodedata.category(c) not in _NOT_PRINTABLE and not DEFAULT_IGNORABLE.match(c)
    )


def printable_words(text: str) -> str:
    """:func:`printable` without whitespace: what survives collapsing a text onto one line."""
    return "".join(c for c in printable(text) if not c.isspace())


def looks(text: str) -> str:
    """How ``text`` looks on a terminal: without what a terminal draws as nothing."""
    return DEFAULT_IGNORABLE.sub("", text)


def is_subsequence(part: str, whole: str) -> bool:
    """Whether every character of ``part`` occurs in ``whole``, in the same order."""
    rest = iter(whole)
    return all(c in rest for c in part)
