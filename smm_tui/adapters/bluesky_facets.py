"""Bluesky rich-text facets: links, hashtags and ``@handle`` mentions by UTF-8 byte range.

A post's text is plain; what makes a link clickable or a handle a mention is a
facet naming the byte range and the feature (``app.bsky.richtext.facet``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["build_facets", "mentioned_handles"]

_LINK = re.compile(r"(?:^|(?<=[\s(]))https?://\S+", re.IGNORECASE)
_LINK_TRAILING = ".,:;!?'\"»…"
_TAG = re.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃]+)")
_HANDLE = re.compile(r"(?:^|(?<=[\s(]))@([A-Za-z0-9.-]+)")
_HANDLE_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MAX_TAG = 64


def build_facets(text: str, dids: dict[str, str]) -> list[dict[str, Any]]:
    """Link, tag and mention facets of ``text`` with UTF-8 byte offsets.

    ``dids`` maps case-folded handles to DIDs; an ``@handle`` not in it gets
    no facet (it stays plain text).
    """
    spans: list[tuple[int, int, dict[str, str]]] = []
    for match in _LINK.finditer(text):
        url = _trim_link(match.group())
        spans.append((match.start(), match.start() + len(url), _feature("link", uri=url)))
    for match in _TAG.finditer(text):
        tag = _trim_punctuation(match.group(1))
        if tag and not tag.isdigit() and len(tag) <= _MAX_TAG:
            spans.append((match.start(), match.start(1) + len(tag), _feature("tag", tag=tag)))
    for match in _HANDLE.finditer(text):
        handle = match.group(1).rstrip(".")
        did = dids.get(handle.casefold())
        if did is not None:
            end = match.start(1) + len(handle)
            spans.append((match.start(), end, _feature("mention", did=did)))
    return [_facet(text, start, end, feature) for start, end, feature in _disjoint(spans)]


def mentioned_handles(text: str) -> list[str]:
    """The well-formed ``@handles`` in ``text``, case-folded, each once, in order."""
    handles = dict.fromkeys(m.group(1).rstrip(".").casefold() for m in _HANDLE.finditer(text))
    return [handle for handle in handles if _is_handle(handle)]


def _feature(kind: str, **value: str) -> dict[str, str]:
    return {"$type": f"app.bsky.richtext.facet#{kind}", **value}


def _facet(text: str, start: int, end: int, feature: dict[str, str]) -> dict[str, Any]:
    byte_start = len(text[:start].encode("utf-8"))
    byte_end = byte_start + len(text[start:end].encode("utf-8"))
    return {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}


def _disjoint(
    spans: list[tuple[int, int, dict[str, str]]],
) -> list[tuple[int, int, dict[str, str]]]:
    kept: list[tuple[int, int, dict[str, str]]] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if span[1] > span[0] and (not kept or span[0] >= kept[-1][1]):
            kept.append(span)
    return kept


def _trim_link(url: str) -> str:
    url = url.rstrip(_LINK_TRAILING)
    # A closing bracket belongs to the link only if the link opened one.
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_LINK_TRAILING)
    return url


def _trim_punctuation(tag: str) -> str:
    while tag and unicodedata.category(tag[-1]).startswith("P"):
        tag = tag[:-1]
    return tag


def _is_handle(handle: str) -> bool:
    labels = handle.split(".")
    return (
        len(handle) <= 253
        and len(labels) >= 2
        and all(_HANDLE_LABEL.fullmatch(label) for label in labels)
        and labels[-1][:1].isalpha()
    )
