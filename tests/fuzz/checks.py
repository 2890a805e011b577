"""What "safe" means for one string, a stored mention, and a rendered Content."""

from __future__ import annotations

import io
import re
import unicodedata

from rich.console import Console
from rich.segment import Segment, Segments
from textual.app import App
from textual.content import Content
from textual.style import Style

from smm_tui.core.models import Mention
from tests.fuzz.strategies import is_subsequence, printable, printable_words

#: What a terminal may act on: C0 (newline and tab aside, where allowed), DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TERMINAL_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_INVISIBLE_IN_ALL = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]")
_INVISIBLE_IN_IDENTITY = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\n\t]")
#: The console's own colour and attribute sequences.
_SGR = re.compile(r"\x1b\[[0-9;]*m")

#: The bidi classes of the explicit embeddings, overrides and isolates (UAX #9).
_EXPLICIT_BIDI = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
#: The implicit directional marks, the other Bidi_Control characters.
_IMPLICIT_MARKS = ("LEFT-TO-RIGHT MARK", "RIGHT-TO-LEFT MARK", "ARABIC LETTER MARK")
#: Zero-width characters known by a customary name rather than their initials.
_CUSTOMARY = {"\ufeff": "BOM", "\u00ad": "SHY"}


def _abbreviation(char: str) -> str:
    """The initials of ``char``'s Unicode name, without "TO" and with SPACE as SP.

    "LEFT-TO-RIGHT MARK" is LRM, "POP DIRECTIONAL ISOLATE" PDI, "ZERO WIDTH SPACE" ZWSP.
    """
    words = unicodedata.name(char).replace("-", " ").split()
    return "".join("SP" if word == "SPACE" else word[0] for word in words if word != "TO")


def _bidi_control_name(char: str) -> str | None:
    """The short name of a Bidi_Control character, found from the Unicode data; else None."""
    explicit = unicodedata.bidirectional(char) in _EXPLICIT_BIDI
    return (
        _abbreviation(char) if explicit or unicodedata.name(char, "") in _IMPLICIT_MARKS else None
    )


def _zero_width_name(char: str) -> str | None:
    """The short name of a zero-width space, joiner or soft hyphen; else None."""
    name = unicodedata.name(char, "")
    if char in _CUSTOMARY:
        return _CUSTOMARY[char]
    if name.startswith("ZERO WIDTH") or name == "WORD JOINER":
        return _abbreviation(char)
    return None


#: The other default-ignorable characters marked by their code point in identities.
_OTHER_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2061-\u2064\u206a-\u206f"
    "\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)


def _emoji_style(char: str, previous: str, following: str) -> bool:
    """A text/emoji-style selector after a symbol ("❤️") or before a keycap ("1️⃣")."""
    if char not in "\ufe0e\ufe0f":
        return False
    return unicodedata.category(previous or " ") == "So" or following == "\u20e3"


def shown_as(char: str, *, identity: bool, previous: str = "", following: str = "") -> str:
    """What the sanitiser must show for one character (after line breaks became ``\\n``).

    ``previous`` is the last character shown before it, ``following`` the next one sent.
    """
    code = ord(char)
    if char in "\n\t":
        return " " if identity else char
    if code < 0x20:
        return chr(0x2400 + code)  # ␛ for ESC, ␇ for BEL, ...
    if code == 0x7F:
        return "␡"
    if 0x80 <= code <= 0x9F:
        return f"⟨C1 {code:02X}⟩"
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if bidi := _bidi_control_name(char):
        return f"⟨{bidi}⟩"
    if identity and (zero_width := _zero_width_name(char)):
        return f"⟨{zero_width}⟩"
    hidden = _OTHER_INVISIBLE.fullmatch(char) and not _emoji_style(char, previous, following)
    if identity and hidden:
        return f"⟨U+{code:04X}⟩"
    return char


def expected_clean(text: str, *, identity: bool) -> str:
    """The documented cleaning, one character at a time: the oracle for the sanitiser."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = lines.replace("\u2028", "\n").replace("\u2029", "\n")
    shown = ""
    for at, char in enumerate(lines):
        following = lines[at + 1 : at + 2]
        shown += shown_as(char, identity=identity, previous=shown[-1:], following=following)
    return shown


def assert_safe_text(original: str, shown: str, *, one_line: bool = False) -> None:
    """``shown`` holds nothing a terminal acts on, and every visible character of ``original``."""
    assert not _CONTROL.search(shown), f"control character in {shown!r}"
    assert not _INVISIBLE_IN_ALL.search(shown), f"bidi control or surrogate in {shown!r}"
    if one_line:
        assert "\n" not in shown and "\t" not in shown
        assert is_subsequence(printable_words(original), shown), (original, shown)
    else:
        assert is_subsequence(printable(original), shown), (original, shown)


def assert_safe_identity(original: str, shown: str) -> None:
    """As :func:`assert_safe_text`, on one line, with zero-width characters marked too."""
    assert_safe_text(original, shown)
    assert not _INVISIBLE_IN_IDENTITY.search(shown), f"invisible character in {shown!r}"
    for match in _OTHER_INVISIBLE.finditer(shown):
        at = match.start()
        styled = _emoji_style(match.group(), shown[at - 1 : at], shown[at + 1 : at + 2])
        assert styled, f"invisible character in {shown!r}"


def assert_stored_safe(raw: Mention, stored: Mention) -> None:
    """Every untrusted field of a stored mention is safe and still shows what was sent."""
    assert_safe_text(raw.text, stored.text)
    assert_safe_identity(raw.author.handle, stored.author.handle)
    assert_safe_identity(raw.author.display_name, stored.author.display_name)
    assert_safe_identity(raw.author.id, stored.author.id)
    if stored.url:
        assert_safe_url(raw.url, stored.url)


def assert_safe_url(original: str, shown: str) -> None:
    """An http(s) URL with nothing invisible in it; its spaces are ``%20``."""
    assert shown.lower().startswith(("http://", "https://")), shown
    assert not _CONTROL.search(shown) and not _INVISIBLE_IN_ALL.search(shown), shown
    assert not _INVISIBLE_IN_IDENTITY.search(shown) and " " not in shown, shown
    assert is_subsequence(printable_words(original), shown), (original, shown)


# --- rendering --------------------------------------------------------------------------------

_VARIABLES = App().get_css_variables()
_parsed: dict[str, Style] = {}


def parse_style(style: str | Style) -> Style:
    """A span's style as the app would resolve it (theme variables such as ``$text-primary``)."""
    if isinstance(style, Style):
        return style
    if style not in _parsed:
        _parsed[style] = Style.parse(style, _VARIABLES)
    return _parsed[style]


def assert_no_actions(content: Content) -> None:
    """No span of ``content`` carries a click action, any other meta, or a link."""
    for span in content.spans:
        style = parse_style(span.style)
        assert not style.link, f"link in {span!r}"
        assert not style.meta, f"action or meta in {span!r}"
        assert not style.rich_style.link and not style.rich_style.meta, f"in {span!r}"
        text = str(span.style)
        assert "@" not in text and "link" not in text and "[" not in text, span


def as_laid_out(content: Content) -> Content:
    """``content`` with its tabs expanded per line, as Textual lays text out before drawing."""
    lines = content.split("\n", allow_blank=True)
    return Content("\n").join(line.expand_tabs(8) for line in lines)


_console = Console(
    file=io.StringIO(),
    force_terminal=True,
    color_system="truecolor",
    width=200,
    legacy_windows=False,
    force_jupyter=False,
    _environ={"TERM": "xterm-256color"},
)


def terminal_output(content: Content) -> str:
    """What a 24-bit colour terminal receives when ``content`` is printed by rich."""
    segments = [
        Segment(text, style.rich_style) for text, style in content.render(parse_style=parse_style)
    ]
    _console.file = out = io.StringIO()
    _console.print(Segments(segments), crop=False, soft_wrap=True)
    return out.getvalue()


def assert_terminal_safe(content: Content) -> None:
    """Printed, ``content`` sends the terminal only SGR sequences and its own plain text."""
    laid_out = as_laid_out(content)
    text = _SGR.sub("", terminal_output(laid_out))
    assert not _TERMINAL_CONTROL.search(text), f"control reaches the terminal: {text!r}"
    assert text == laid_out.plain + "\n", "the terminal would show other text than the content"


def assert_literal(content: Content, *shown: str) -> None:
    """Each of ``shown`` appears verbatim in the content (markup was not interpreted)."""
    for part in shown:
        assert part in content.plain, (part, content.plain)


def assert_rendered_safe(content: Content) -> None:
    """No action, no link, no control, on screen or on the wire."""
    assert_no_actions(content)
    assert_terminal_safe(content)
