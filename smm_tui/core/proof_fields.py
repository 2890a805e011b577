"""Reading a contest proof file field by field: the first missing or mistyped one, named.

A proof file comes from anyone, so nothing in it is trusted: every field
:mod:`smm_tui.core.proof_check` uses is read through :class:`Fields`, which
raises :class:`Mismatch` naming it by its path (``beacon.signature``,
``entries[3].network``; list items count from 1).
"""

from __future__ import annotations

import re
from typing import Any

from smm_tui.core.contest_proof import ProofEntry
from smm_tui.core.models import Platform

__all__ = ["Fields", "Mismatch"]

_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_NETWORKS = frozenset(p.value for p in Platform)


class Mismatch(Exception):
    """The first thing found wrong with a proof, in words."""


class Fields:
    """One JSON object of a proof file, at ``path``; each getter checks its field's type."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise Mismatch(f"field '{path}' is not an object" if path else "not a JSON object")
        self.value: dict[str, Any] = value
        self._path = path

    def _name(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def _get(self, key: str) -> object:
        if key not in self.value:
            raise Mismatch(f"field '{self._name(key)}' is missing")
        return self.value[key]

    def _wrong(self, key: str, what: str) -> Mismatch:
        return Mismatch(f"field '{self._name(key)}' is not {what}")

    def text(self, key: str) -> str:
        """A string."""
        value = self._get(key)
        if not isinstance(value, str):
            raise self._wrong(key, "a string")
        return value

    def text_or_null(self, key: str) -> str | None:
        """A string or null (the member must still be there)."""
        return None if self._get(key) is None else self.text(key)

    def whole(self, key: str, least: int = 0) -> int:
        """A whole number, ``least`` or more (true and false are not numbers)."""
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise self._wrong(key, f"a whole number ≥ {least}")
        return value

    def flag(self, key: str) -> bool:
        """true or false."""
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false")
        return value

    def hex(self, key: str) -> bytes:
        """Bytes written as lowercase hex, two digits each."""
        value = self._get(key)
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise self._wrong(key, "hex")
        return bytes.fromhex(value)

    def digest(self, key: str) -> str:
        """A sha256 digest: 64 lowercase hex digits, kept as text."""
        value = self._get(key)
        if not isinstance(value, str) or not _DIGEST.fullmatch(value):
            raise self._wrong(key, "a sha256 digest (64 lowercase hex digits)")
        return value

    def object(self, key: str) -> Fields:
        """A nested object."""
        return Fields(self._get(key), self._name(key))

    def objects(self, key: str) -> list[Fields]:
        """A list of objects."""
        value = self._get(key)
        if not isinstance(value, list):
            raise self._wrong(key, "a list")
        return [Fields(item, f"{self._name(key)}[{n}]") for n, item in enumerate(value, start=1)]

    def strings(self, key: str) -> list[str]:
        """A list of strings."""
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._wrong(key, "a list of strings")
        return value

    def network(self, key: str) -> Platform:
        """One of the networks smm-tui knows, by its name (``vk``)."""
        name = self.text(key)
        if name not in _NETWORKS:
            raise self._wrong(key, f"a known network ({', '.join(sorted(_NETWORKS))})")
        return Platform(name)

    def proof_entry(self) -> ProofEntry:
        """This object as an entry: network, entry, handle."""
        return ProofEntry(self.network("network"), self.text("entry"), self.text("handle"))

    def placed(self) -> dict[str, Any]:
        """This object as a winner or reserve: place, index and the entry's fields."""
        return {
            "place": self.whole("place", least=1),
            "index": self.whole("index"),
            **self.proof_entry().as_record(),
        }

    def entrant_v1(self) -> tuple[str, str, str, str]:
        """This object as a v1 entrant: (contest id, author id, mention id, handle).

        The contest id is read from ``entry_id``, which must be ``<contest id>:<author id>``.
        """
        author_id, mention_id = self.text("author_id"), self.text("mention_id")
        entry_id, handle = self.text("entry_id"), self.text("handle")
        # Author ids may hold colons themselves: the contest id is what precedes the last one's.
        if not entry_id.endswith(f":{author_id}"):
            raise self._wrong("entry_id", "<contest id>:<its author_id>")
        return entry_id[: -len(author_id) - 1], author_id, mention_id, handle
