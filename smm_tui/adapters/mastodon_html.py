"""Mastodon status HTML as plain text.

A status's ``content`` is HTML: paragraphs, line breaks, h-card mentions, and
links whose scheme and tail hide in ``span.invisible`` (the middle is shown, with
``span.ellipsis`` marking a cut). Only the visible text is kept, as data: no
markup survives, and entities are unescaped.
"""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["html_to_text"]


class _TextExtractor(HTMLParser):
    """Collects the visible text of Mastodon status HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # One entry per open <span>: "invisible", "ellipsis" or "".
        self._spans: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span":
            classes = (dict(attrs).get("class") or "").split()
            kind = next((c for c in ("invisible", "ellipsis") if c in classes), "")
            self._spans.append(kind)
        elif self._hidden():
            return
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag != "span" or not self._spans:
            return
        kind = self._spans.pop()
        if kind == "ellipsis" and not self._hidden():
            self.parts.append("…")

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)

    def _hidden(self) -> bool:
        return "invisible" in self._spans


def html_to_text(content: str) -> str:
    """Mastodon status HTML as plain text: paragraphs, line breaks, link text, no markup."""
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()
