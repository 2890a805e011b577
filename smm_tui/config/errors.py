"""One-line error texts, and msgspec's validation errors turned into them.

Key paths use TOML spelling with 0-based indexes for arrays of tables:
``accounts[0]`` is the first ``[[accounts]]`` block in the file. Values are
shown short and on one line; tables and arrays are named, not dumped (they may
hold a token), and a secret field's value is never shown at all.
"""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
from msgspec import Meta, UnsetType

from smm_tui.config.schema import ACCOUNT_TABLES, SECRET_FIELDS, TAG_FIELD, Document
from smm_tui.core.models import Platform

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_PATH_PART = re.compile(r"\.(\w+)|\[(\d+)\]")
_MISSING = re.compile(r"Object missing required field `(\w+)`")
_SHOW_LIMIT = 60
# The user:password part of a URL (scheme://user:secret@host): never echoed.
_URL_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")
_PLATFORMS = ", ".join(p.value for p in Platform)

Segment = str | int


class Invalid(Exception):
    """A problem in the document; the loader adds the file's name (see ``ConfigError``)."""


def must(path: str, what: str, value: object) -> Invalid:
    """The "'path' must be <what>, got <value>" error."""
    return Invalid(f"'{path}' must be {what}, got {show(value)}")


def toml_key(key: str) -> str:
    """A key as TOML would spell it: bare if it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def show(value: object) -> str:
    """A short one-line rendering of a config value for an error message."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = _URL_USERINFO.sub("…@", text)
    if len(text) > _SHOW_LIMIT:
        text = text[: _SHOW_LIMIT - 1] + "…"
    return text


def unknown_key(prefix: str, key: str, allowed: Iterable[str]) -> Invalid:
    """``unknown key 'prefix.key'``, with a close allowed key suggested if there is one."""
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return Invalid(f"unknown key '{prefix}{toml_key(key)}'{hint}")


def check_keys(table: Mapping[str, object], allowed: Iterable[str], prefix: str) -> None:
    """Fail on the first key of ``table`` not in ``allowed``."""
    known = set(allowed)
    for key in table:
        if key not in known:
            raise unknown_key(prefix, key, sorted(known))


def explain(error: msgspec.ValidationError, document: Mapping[str, Any]) -> Invalid:
    """msgspec's ``error`` about ``document`` as today's one-line wording."""
    problem, located, at = str(error).rpartition(" - at `")
    if not located:  # a problem with the whole document has no path
        problem, at = at, "$"
    segments: list[Segment] = [
        int(index) if index else name for name, index in _PATH_PART.findall(at.rstrip("`"))
    ]
    where = _dotted(segments)
    if segments and segments[-1] == TAG_FIELD:
        account = _locate(segments[:-1], document)[1]
        _check_any_account_keys(_dotted(segments[:-1]), account)
        return must(where, f"one of {_PLATFORMS}", account[TAG_FIELD])
    declared, value = _locate(segments, document)
    if problem.startswith("Object contains unknown field"):
        return _unknown_in(where, value, _struct_of(declared, value))
    missing = _MISSING.match(problem)
    if missing and missing.group(1) == TAG_FIELD:
        _check_any_account_keys(where, value)
        return Invalid(f"missing key '{where}.{TAG_FIELD}'")
    if missing:
        return Invalid(f"missing key '{where}.{missing.group(1)}'")
    what = _description(declared) or f"a table ([{where}])"
    if segments and segments[-1] in SECRET_FIELDS:
        return Invalid(f"'{where}' must be {what}")
    return must(where, what, value)


def _dotted(segments: list[Segment]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in segments).lstrip(".")


def _locate(segments: list[Segment], document: Mapping[str, Any]) -> tuple[Any, Any]:
    """The declared type at ``segments`` and the file's value there."""
    declared: Any = Document
    value: Any = document
    for segment in segments:
        if isinstance(segment, int):
            declared = get_args(_bare(declared))[0]
        else:
            struct = _struct_of(declared, value)
            fields = msgspec.structs.fields(struct)
            declared = next(f.type for f in fields if f.encode_name == segment)
        value = value[segment]
    return declared, value


def _struct_of(declared: Any, value: Any) -> type[msgspec.Struct]:
    """The struct ``declared`` names (a union may hold one beside plain values, as
    ``departments`` does); for a tagged union, the one ``value``'s tag picks."""
    bare = _bare(declared)
    if isinstance(bare, type) and issubclass(bare, msgspec.Struct):
        return bare
    tables = [a for a in get_args(bare) if isinstance(a, type) and issubclass(a, msgspec.Struct)]
    if len(tables) == 1:
        return tables[0]
    return ACCOUNT_TABLES[Platform(value[TAG_FIELD])]


def _bare(declared: Any) -> Any:
    """``declared`` without ``Annotated`` and without an optional ``None``/``UNSET``."""
    while True:
        if get_origin(declared) is Annotated:
            declared = get_args(declared)[0]
            continue
        if get_origin(declared) in (Union, types.UnionType):
            present = [a for a in get_args(declared) if a not in (type(None), UnsetType)]
            if len(present) == 1:
                declared = present[0]
                continue
        return declared


def _description(declared: Any) -> str | None:
    """The first ``Meta(description=...)`` on ``declared``, looking through optionals."""
    if get_origin(declared) is Annotated:
        for meta in get_args(declared)[1:]:
            if isinstance(meta, Meta) and meta.description:
                return meta.description
        return _description(get_args(declared)[0])
    if get_origin(declared) in (Union, types.UnionType):
        found = (_description(a) for a in get_args(declared))
        return next((text for text in found if text), None)
    return None


def fields_of(struct: type[msgspec.Struct]) -> tuple[str, ...]:
    """The keys a table of ``struct`` may hold, its tag included."""
    tag_field = struct.__struct_config__.tag_field
    return (*((tag_field,) if tag_field else ()), *struct.__struct_encode_fields__)


def _unknown_in(where: str, table: Mapping[str, object], struct: type[msgspec.Struct]) -> Invalid:
    """The first key of ``table`` that ``struct`` does not have, said helpfully."""
    allowed = fields_of(struct)
    key = next(k for k in table if k not in allowed)
    owners = [p.value for p, account in ACCOUNT_TABLES.items() if key in fields_of(account)]
    if owners and struct in ACCOUNT_TABLES.values():
        return Invalid(
            f"unknown key '{where}.{key}' for platform {show(table[TAG_FIELD])} "
            f"(only {', '.join(owners)} accounts take '{key}')"
        )
    return unknown_key(f"{where}.".lstrip("."), key, allowed)


def _check_any_account_keys(where: str, table: Mapping[str, object]) -> None:
    """Before "no such platform": a key no account takes is the likelier typo."""
    every = {key for account in ACCOUNT_TABLES.values() for key in fields_of(account)}
    check_keys(table, sorted(every), prefix=f"{where}.")
