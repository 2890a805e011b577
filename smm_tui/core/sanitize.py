"""The one boundary where text from a network becomes safe to show.

Everything a network sends is attacker-controlled. Before a mention is stored,
its text, names, handles and URLs pass through here:

- C0 controls (except newline and tab), DEL, ESC and C1 controls become
  visible control pictures, so no byte sequence from the data can reach the
  terminal as an escape sequence.
- Bidirectional embeddings, overrides and isolates become visible markers
  (``⟨RLO⟩``): a reversed handle cannot pass for another.
- In identity fields (handles, display names), zero-width characters are made
  visible too, so two handles that differ only by invisible characters look
  different. In message bodies they stay, since emoji sequences need ZWJ.

Markup is never a concern here: the UI renders these strings as literal
``Content``/``Text``, never as markup.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_NAMES = {
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u061c": "ALM",
}
_ZERO_WIDTH_NAMES = {
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u2060": "WJ",
    "\ufeff": "BOM",
    "\u00ad": "SHY",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile("[" + "".join(_BIDI_NAMES) + "]")
#: Every other default-ignorable code point a terminal draws as nothing: invisible
#: operators, Mongolian and Hangul fillers, variation selectors, tag characters.
_OTHER_INVISIBLE = (
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2061-\u2064\u206a-\u206f"
    "\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff"
)
_ZERO_WIDTH = re.compile("[" + "".join(_ZERO_WIDTH_NAMES) + _OTHER_INVISIBLE + "]")
#: Variation selectors 15/16 choose text or emoji style ("❤️", "1️⃣"): they hide
#: nothing there (see :func:`is_emoji_style`), so only a stray one is marked.
_EMOJI_STYLE = frozenset("\ufe0e\ufe0f")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 CONTROL PICTURES, e.g. ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\u27e8C1 {code:02X}\u27e9"


def _bidi_marker(match: re.Match[str]) -> str:
    return f"\u27e8{_BIDI_NAMES[match.group()]}\u27e9"


def _zero_width_marker(match: re.Match[str]) -> str:
    char, text, at = match.group(), match.string, match.start()
    if char in _EMOJI_STYLE and is_emoji_style(text[at - 1 : at], text[at + 1 : at + 2]):
        return char
    return f"\u27e8{_ZERO_WIDTH_NAMES.get(char) or f'U+{ord(char):04X}'}\u27e9"


def is_emoji_style(before: str, after: str) -> bool:
    """Whether a variation selector between these characters only styles an emoji.

    After a symbol ("❤️"), or before the keycap mark ("1️⃣").
    """
    return (bool(before) and unicodedata.category(before) == "So") or after == "\u20e3"


def clean_text(text: str) -> str:
    """Make a message body safe to display; keeps newlines, tabs and emoji joiners."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _SURROGATE.sub("\ufffd", text)
    text = _CONTROL.sub(_control_picture, text)
    return _BIDI.sub(_bidi_marker, text)


def clean_identity(text: str) -> str:
    """Make a handle or display name safe and unambiguous: one line, every invisible shown."""
    text = clean_text(text).replace("\n", " ").replace("\t", " ")
    return _ZERO_WIDTH.sub(_zero_width_marker, text)


def one_line(message: str) -> str:
    """A message for the user that may quote network text: made safe, on one line."""
    return " ".join(clean_identity(message).split())


def clean_id(network_id: str) -> str:
    """A network's id as it can be stored and hashed: lone surrogates become U+FFFD.

    Nothing else changes, so a real id still addresses its post; one that could
    not be encoded could never be answered anyway, and must not stop a poll.
    """
    return _SURROGATE.sub("\ufffd", network_id)


#: The largest count kept (JSON's safe integer); a larger one is an invented figure.
MAX_COUNT = 2**53


def clean_count(count: int | None) -> int | None:
    """A network's count if it is plausible (0 to 2**53), else None."""
    return count if count is not None and 0 <= count <= MAX_COUNT else None


def clean_url(url: str) -> str:
    """Keep only http(s) URLs, made safe; anything else (javascript:, data:) is dropped."""
    url = clean_identity(url.strip())
    if not re.match(r"https?://", url, re.IGNORECASE):
        return ""
    return url.replace(" ", "%20")


def is_clean(text: str) -> bool:
    """Whether ``text`` holds nothing :func:`clean_text` would replace."""
    return clean_text(text) == text
