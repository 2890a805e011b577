"""UTM tags on links to the brand's own sites, so analytics can tell which post brought a visit.

Only links written with ``http://`` or ``https://`` to one of the brand's own
domains (or a subdomain) are tagged; everything else in the text is kept as
typed. A parameter the link already has is never added again, and the link's
own query, path and fragment are kept byte for byte. Domains compare by their
ASCII (IDNA) form, so ``банк.рф`` and ``xn--80abc.xn--p1ai`` are the same site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlsplit

__all__ = ["tag_links"]

_URL = re.compile(r"https?://[^\s<>\"'«»]+", re.IGNORECASE)
#: Characters that end a sentence rather than a link when they close one.
_TRAILING = ".,;:!?…"
#: Closing brackets, with their opening ones.
_BRACKETS = {")": "(", "]": "[", "}": "{"}


def tag_links(
    text: str, *, source: str, campaign: str, content: str, own_domains: Iterable[str]
) -> str:
    """``text`` with ``utm_source``, ``utm_medium=social``, ``utm_campaign`` (when there is
    a campaign) and ``utm_content`` added to every link to an ``own_domains`` site."""
    domains = {_ascii_host(domain) for domain in own_domains if domain.strip()}
    if not domains:
        return text
    tags = {
        "utm_source": source,
        "utm_medium": "social",
        "utm_campaign": campaign,
        "utm_content": content,
    }
    wanted = {key: value for key, value in tags.items() if value}

    def tag(found: re.Match[str]) -> str:
        url, tail = _split_tail(found.group(0))
        return _tagged(url, wanted, domains) + tail

    return _URL.sub(tag, text)


def _split_tail(url: str) -> tuple[str, str]:
    """The link and the punctuation after it that belongs to the sentence."""
    end = len(url)
    while end and (url[end - 1] in _TRAILING or _unbalanced(url[:end])):
        end -= 1
    return url[:end], url[end:]


def _unbalanced(url: str) -> bool:
    """Whether ``url`` ends with a bracket it never opened: one written around the link."""
    closing = url[-1]
    opening = _BRACKETS.get(closing)
    return opening is not None and url.count(closing) > url.count(opening)


def _tagged(url: str, tags: dict[str, str], domains: set[str]) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return url
    ascii_host = _ascii_host(host)
    if not any(ascii_host == d or ascii_host.endswith("." + d) for d in domains):
        return url
    head, hash_mark, fragment = url.partition("#")
    base, _, query = head.partition("?")
    present = {key.lower() for key, _ in parse_qsl(query, keep_blank_values=True)}
    added = [f"{key}={quote(value, safe='')}" for key, value in tags.items() if key not in present]
    if not added:
        return url
    joiner = "" if not query or query.endswith("&") else "&"
    return f"{base}?{query}{joiner}{'&'.join(added)}{hash_mark}{fragment}"


def _ascii_host(host: str) -> str:
    name = host.strip().rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name
