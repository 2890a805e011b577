"""A contest's rules as a file: what counts as an entry, who is excluded, how many win.

The rules are TOML, so a participant can read them and anyone can check them::

    opens = "2026-11-01T12:00:00+03:00"
    closes = "2026-11-08T18:00:00+03:00"
    winners = 1
    reserves = 2

    [[posts]]
    network = "vk"
    post = "-123_456"

    [entry]
    keyword = "#кедр"
    min_tagged_friends = 2
    one_per_person = true
    same_person_across_networks = false
    membership = true
    min_account_age_days = 30

    [exclusions]
    staff = ["anna_smm"]
    blocklist = ["spam_bot"]
    earlier_winners_within_days = 90

Only ``posts``, ``opens`` and ``closes`` are required. :meth:`ContestRules.rules_hash`
is the sha256 of :meth:`ContestRules.canonical_json`, which fills in every default,
so two files that say the same thing (in any key order, spacing, or with defaults
left out) hash alike; the draw commits to that hash.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smm_tui.core.models import Platform
from smm_tui.core.query_ast import fold

__all__ = [
    "ContestPost",
    "ContestRules",
    "EntryRules",
    "Exclusions",
    "RulesError",
    "normal_handle",
    "parse_rules",
    "rules_from_record",
]

_KEYWORD = re.compile(r"#?\w+")


class RulesError(ValueError):
    """A rules file that cannot be used; the one-line message names the key at fault."""


def normal_handle(handle: str) -> str:
    """A handle as rules compare it: folded, without the leading ``@``."""
    return fold(handle.strip()).lstrip("@")


@dataclass(frozen=True, slots=True)
class ContestPost:
    """A post the contest runs on: its network and the network's id of it."""

    network: Platform
    post: str


@dataclass(frozen=True, slots=True)
class EntryRules:
    """What a comment must be, and who may write it, to count as an entry."""

    #: A word or ``#hashtag`` the comment must contain (compared folded); None: any comment.
    keyword: str | None = None
    min_tagged_friends: int = 0
    one_per_person: bool = True
    #: Count one person's identities on several networks as one person.
    same_person_across_networks: bool = False
    #: Require membership of the brand's community, where the network can tell.
    membership: bool = False
    #: Where the network gives a creation date; None: any account.
    min_account_age_days: int | None = None


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Who cannot win: staff, the blocklist, and recent winners."""

    #: Normalised (see :func:`normal_handle`), sorted and without repeats.
    staff: tuple[str, ...] = ()
    blocklist: tuple[str, ...] = ()
    #: Whoever won within this many days before the contest opened; None: no such rule.
    earlier_winners_within_days: int | None = None


@dataclass(frozen=True, slots=True)
class ContestRules:
    """A contest's rules, as parsed from its TOML file (see the module docstring)."""

    posts: tuple[ContestPost, ...]
    opens: datetime
    closes: datetime
    entry: EntryRules = EntryRules()
    exclusions: Exclusions = Exclusions()
    winners: int = 1
    reserves: int = 0

    def as_record(self) -> dict[str, Any]:
        """The rules as plain JSON-able data, every default filled in."""
        return {
            "posts": [{"network": p.network.value, "post": p.post} for p in self.posts],
            "opens": self.opens.isoformat(),
            "closes": self.closes.isoformat(),
            "entry": {
                "keyword": self.entry.keyword,
                "min_tagged_friends": self.entry.min_tagged_friends,
                "one_per_person": self.entry.one_per_person,
                "same_person_across_networks": self.entry.same_person_across_networks,
                "membership": self.entry.membership,
                "min_account_age_days": self.entry.min_account_age_days,
            },
            "exclusions": {
                "staff": list(self.exclusions.staff),
                "blocklist": list(self.exclusions.blocklist),
                "earlier_winners_within_days": self.exclusions.earlier_winners_within_days,
            },
            "winners": self.winners,
            "reserves": self.reserves,
        }

    def canonical_json(self) -> bytes:
        """The rules as canonical JSON: sorted keys, no spaces, UTF-8 (what is hashed)."""
        text = json.dumps(
            self.as_record(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return text.encode()

    def rules_hash(self) -> str:
        """The sha256 (hex) of :meth:`canonical_json`: the same for equivalent files."""
        return hashlib.sha256(self.canonical_json()).hexdigest()

    def to_toml(self) -> str:
        """The rules as a TOML file that :func:`parse_rules` reads back to equal rules."""
        record = self.as_record()
        lines = [f"{key} = {_toml_value(record[key])}" for key in _TOP_SCALARS]
        for post in record["posts"]:
            lines += ["", "[[posts]]", *_toml_table(post)]
        lines += ["", "[entry]", *_toml_table(record["entry"])]
        lines += ["", "[exclusions]", *_toml_table(record["exclusions"])]
        return "\n".join(lines) + "\n"


_TOP_SCALARS = ("opens", "closes", "winners", "reserves")


def _toml_table(table: Mapping[str, Any]) -> list[str]:
    # TOML has no null: a key left out reads back as None.
    return [f"{key} = {_toml_value(value)}" for key, value in table.items() if value is not None]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    # JSON's string escapes (\" \\ \n \uXXXX) are all valid in a TOML basic string.
    return json.dumps(str(value), ensure_ascii=False)


def parse_rules(text: str) -> ContestRules:
    """The rules in TOML ``text``; raises RulesError naming the key at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"rules: not valid TOML: {error}") from None
    return _rules(data)


def rules_from_record(record: object) -> ContestRules:
    """The rules in ``record``, the data :meth:`ContestRules.as_record` gives (as a proof file
    holds it), validated as :func:`parse_rules` validates; a null stands for a key left out."""
    if not isinstance(record, dict):
        raise RulesError("rules: must be a table")
    return _rules(_without_nulls(record))


def _without_nulls(table: Mapping[str, Any]) -> dict[str, Any]:
    # TOML has no null, so a record's null is read as the key left out, at any depth of table.
    return {
        key: _without_nulls(value) if isinstance(value, dict) else value
        for key, value in table.items()
        if value is not None
    }


def _rules(data: Mapping[str, Any]) -> ContestRules:
    _only_keys(data, "", {"posts", "opens", "closes", "entry", "exclusions", "winners", "reserves"})
    opens = _moment(data, "opens")
    closes = _moment(data, "closes")
    if closes <= opens:
        raise RulesError("rules: closes: must be after opens")
    return ContestRules(
        posts=_posts(data.get("posts")),
        opens=opens,
        closes=closes,
        entry=_entry(_table(data, "entry")),
        exclusions=_exclusions(_table(data, "exclusions")),
        winners=_whole(data, "winners", "", default=1, least=1),
        reserves=_whole(data, "reserves", "", default=0, least=0),
    )


def _fail(key: str, problem: str) -> RulesError:
    return RulesError(f"rules: {key}: {problem}")


def _only_keys(table: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
    for key in sorted(set(table) - allowed):
        raise _fail(prefix + key, "unknown key")


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _fail(key, "must be a table")
    return value


def _moment(data: Mapping[str, Any], key: str) -> datetime:
    value = data.get(key)
    if value is None:
        raise _fail(key, "is required (an ISO 8601 time with its offset)")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _fail(key, f"not an ISO 8601 time: {value!r}") from None
    if not isinstance(value, datetime):
        raise _fail(key, "must be an ISO 8601 time with its offset")
    if value.utcoffset() is None:
        raise _fail(key, "needs a UTC offset, such as +03:00 or Z")
    return value


def _whole(
    table: Mapping[str, Any], key: str, prefix: str, *, default: int | None, least: int
) -> Any:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _fail(prefix + key, f"must be a whole number ≥ {least}, not {value!r}")
    return value


def _flag(table: Mapping[str, Any], key: str, prefix: str, *, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _fail(prefix + key, f"must be true or false, not {value!r}")
    return value


def _posts(value: object) -> tuple[ContestPost, ...]:
    if not isinstance(value, list) or not value:
        raise _fail("posts", "at least one [[posts]] with network and post is required")
    posts = []
    for index, item in enumerate(value, start=1):
        prefix = f"posts[{index}]."
        if not isinstance(item, dict):
            raise _fail(f"posts[{index}]", "must be a table with network and post")
        _only_keys(item, prefix, {"network", "post"})
        network = item.get("network")
        if network not in {p.value for p in Platform}:
            names = ", ".join(p.value for p in Platform)
            raise _fail(prefix + "network", f"must be one of {names}, not {network!r}")
        post = item.get("post")
        if isinstance(post, bool) or not isinstance(post, str | int) or not str(post).strip():
            raise _fail(prefix + "post", "must be the network's id of the post")
        posts.append(ContestPost(Platform(network), str(post).strip()))
    return tuple(posts)


def _entry(table: Mapping[str, Any]) -> EntryRules:
    prefix = "entry."
    _only_keys(
        table,
        prefix,
        {
            "keyword",
            "min_tagged_friends",
            "one_per_person",
            "same_person_across_networks",
            "membership",
            "min_account_age_days",
        },
    )
    keyword = table.get("keyword")
    if keyword is not None and (
        not isinstance(keyword, str) or not _KEYWORD.fullmatch(keyword.strip())
    ):
        raise _fail(prefix + "keyword", f"must be one word or #hashtag, not {keyword!r}")
    return EntryRules(
        keyword=keyword.strip() if keyword is not None else None,
        min_tagged_friends=_whole(table, "min_tagged_friends", prefix, default=0, least=0),
        one_per_person=_flag(table, "one_per_person", prefix, default=True),
        same_person_across_networks=_flag(
            table, "same_person_across_networks", prefix, default=False
        ),
        membership=_flag(table, "membership", prefix, default=False),
        min_account_age_days=_whole(table, "min_account_age_days", prefix, default=None, least=0),
    )


def _exclusions(table: Mapping[str, Any]) -> Exclusions:
    prefix = "exclusions."
    _only_keys(table, prefix, {"staff", "blocklist", "earlier_winners_within_days"})
    return Exclusions(
        staff=_handles(table, "staff", prefix),
        blocklist=_handles(table, "blocklist", prefix),
        earlier_winners_within_days=_whole(
            table, "earlier_winners_within_days", prefix, default=None, least=0
        ),
    )


def _handles(table: Mapping[str, Any], key: str, prefix: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        raise _fail(prefix + key, "must be a list of handles")
    handles = {normal_handle(h) for h in value}
    if "" in handles:
        raise _fail(prefix + key, "has an empty handle")
    return tuple(sorted(handles))
