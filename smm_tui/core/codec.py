"""Field-driven conversion of the domain dataclasses to and from plain JSON-able records.

A model's record is worked out from its dataclass fields and their types, once per
class: the first conversion compiles a plan into one encode and one decode function
(as :mod:`dataclasses` compiles ``__init__``), so no call inspects types again.

Encoding by type: ``str``/``int``/``float``/``bool``/``Any`` as they are, enums as
their value, datetimes as :func:`to_iso`, tuples, lists and frozensets as lists
(frozensets sorted), mappings as dicts, nested dataclasses as their records, and
``X | None`` as ``None`` or X's form.

Decoding is forgiving, because the store holds records that older versions wrote:

- a field without a default is required (a missing key raises ``KeyError``, a bad
  value ``ValueError`` or ``TypeError``);
- a field with a default takes it when its key is missing or null, and also when
  the value is empty (``""``, ``[]``, ``{}``) for texts, enums, collections and
  nested models (numbers and booleans keep a stored ``0``/``False``);
- an optional (``X | None``) field keeps a stored empty text, but an empty nested
  model is ``None``;
- scalars are coerced (``str(1)``, ``int("3")``), a naive time is taken as UTC,
  and keys the model does not know are ignored.

Where the stored name or form differs from what the type says, a field carries
:func:`stored` metadata; a model lists read-only properties that belong in its
record (a derived ``id``) in :attr:`Recorded.record_extras`.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

_T = TypeVar("_T")

#: The ``dataclasses.field(metadata=...)`` key that :func:`stored` fills.
METADATA_KEY = "record"

Encoder = Callable[[Any], dict[str, Any]]
Decoder = Callable[[Mapping[str, Any]], Any]


def to_iso(moment: datetime | None) -> str | None:
    """Serialise a datetime as ISO 8601 in UTC (``None`` passes through).

    Always ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (27 characters, microseconds even when
    zero), so the store and its indexes can compare and sort times as strings.
    """
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def from_iso(text: str | None) -> datetime | None:
    """Parse ISO 8601; a naive time is taken as UTC (``None`` passes through)."""
    if text is None:
        return None
    return parse_iso(text)


def parse_iso(text: str) -> datetime:
    """Parse a required ISO 8601 time, in UTC; a naive time is taken as UTC."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class Stored:
    """How one field is stored where its name and type alone do not say.

    ``key``: the record's key, when not the field's name. ``required``: decoding
    fails on a missing key even though the field has a default (for a field whose
    default would be a dangerous guess). ``encode``/``decode``: the stored form,
    when the type's own does not fit.
    """

    key: str | None = None
    required: bool = False
    encode: Callable[[Any], Any] | None = None
    decode: Callable[[Any], Any] | None = None


def stored(
    *,
    key: str | None = None,
    required: bool = False,
    encode: Callable[[Any], Any] | None = None,
    decode: Callable[[Any], Any] | None = None,
) -> dict[str, Stored]:
    """Field metadata for :class:`Stored`: ``field(default=..., metadata=stored(...))``."""
    return {METADATA_KEY: Stored(key=key, required=required, encode=encode, decode=decode)}


class Recorded:
    """Base of the dataclasses kept as records: ``to_record`` and ``from_record``."""

    __slots__ = ()

    #: Read-only properties written into the record too, ahead of the fields.
    #: Decoding ignores them (they are derived from the fields).
    record_extras: ClassVar[tuple[str, ...]] = ()

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict: the store's shape."""
        try:
            encode = _ENCODERS[type(self)]
        except KeyError:
            encode = encoder_for(type(self))
        return encode(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Self:
        """The inverse of :meth:`to_record`, forgiving as the module says."""
        try:
            decode = _DECODERS[cls]
        except KeyError:
            decode = decoder_for(cls)
        result: Self = decode(record)
        return result


_ENCODERS: dict[type, Encoder] = {}
_DECODERS: dict[type, Decoder] = {}


def encoder_for(cls: type) -> Encoder:
    """The compiled encode function of a dataclass (built on first use, then cached)."""
    if cls not in _ENCODERS:
        _compile(cls)
    return _ENCODERS[cls]


def decoder_for(cls: type[_T]) -> Callable[[Mapping[str, Any]], _T]:
    """The compiled decode function of a dataclass (built on first use, then cached)."""
    if cls not in _DECODERS:
        _compile(cls)
    return _DECODERS[cls]


def encode_record(obj: object) -> dict[str, Any]:
    """The record of any dataclass instance the codec supports."""
    return encoder_for(type(obj))(obj)


def decode_record(cls: type[_T], record: Mapping[str, Any]) -> _T:
    """An instance of dataclass ``cls`` from its record."""
    return decoder_for(cls)(record)


_SCALARS: frozenset[object] = frozenset({str, int, float, bool})
_NUMBERS: frozenset[object] = frozenset({int, float, bool})
_SEQUENCES: dict[object, str] = {tuple: "tuple", list: "list", frozenset: "frozenset"}
_NONE = type(None)


def _compile(cls: type) -> None:
    """Compile and cache ``cls``'s encode and decode functions."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__qualname__} is not a dataclass")
    hints = typing.get_type_hints(cls)
    plan = _Plan(cls.__qualname__)
    extras = getattr(cls, "record_extras", ())
    encoded = {name: f"o.{name}" for name in extras}
    positional, keywords = [], []
    for spec in dataclasses.fields(cls):
        how: Stored = spec.metadata.get(METADATA_KEY, Stored())
        key = how.key or spec.name
        tp = hints[spec.name]
        encoded[key] = plan.encode_field(tp, f"o.{spec.name}", how)
        if spec.init:
            argument = plan.decode_field(spec, tp, key, how)
            if spec.kw_only:
                keywords.append(f"{spec.name}={argument}")
            else:
                positional.append(argument)
    # The id leads, as the store keys records by it; the other keys keep the fields' order.
    order = sorted(encoded, key=lambda key: key != "id")
    record = "{" + ", ".join(f"{key!r}: {encoded[key]}" for key in order) + "}"
    arguments = ", ".join(positional + keywords)
    plan.names["_cls"] = cls
    name = cls.__qualname__.replace(".", "_")
    _ENCODERS[cls] = plan.function(f"encode_{name}", "o", f"return {record}")
    _DECODERS[cls] = plan.function(f"decode_{name}", "r", f"return _cls({arguments})")


class _Plan:
    """The source and the names of one class's generated functions."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.names: dict[str, Any] = {"_to_iso": to_iso, "_parse_iso": parse_iso}

    def ref(self, obj: object) -> str:
        """A name for ``obj`` in the generated functions' namespace."""
        name = f"_n{len(self.names)}"
        self.names[name] = obj
        return name

    def function(self, name: str, arg: str, body: str) -> Any:
        """Define the one-argument function ``name`` with a one-line ``body``."""
        source = f"def {name}({arg}):\n    {body}\n"
        exec(compile(source, f"<record codec {self.owner}>", "exec"), self.names)
        return self.names[name]

    def encode_field(self, tp: Any, value: str, how: Stored) -> str:
        """The expression that encodes one field."""
        if how.encode is not None:
            return f"{self.ref(how.encode)}({value})"
        return self.encode(tp, value, 0)

    def decode_field(self, spec: dataclasses.Field[Any], tp: Any, key: str, how: Stored) -> str:
        """The expression that decodes one field from record ``r``."""
        has_default = spec.default is not dataclasses.MISSING
        has_factory = spec.default_factory is not dataclasses.MISSING

        def convert(value: str, as_type: Any) -> str:
            if how.decode is not None:
                return f"{self.ref(how.decode)}({value})"
            return self.decode(as_type, value, 0)

        if how.required or not (has_default or has_factory):
            return convert(f"r[{key!r}]", tp)
        fallback = f"{self.ref(spec.default_factory)}()" if has_factory else self.ref(spec.default)
        got = f"(_v := r.get({key!r}))"
        kind, of = _classify(tp, self.owner)
        if kind == "optional":
            converted = convert("_v", of)
            if how.decode is None and _classify(of, self.owner)[0] == "model":
                return f"({converted} if {got} else {fallback})"
            if spec.default is None and converted == "_v":
                return f"r.get({key!r})"
            return f"({fallback} if {got} is None else {converted})"
        converted = convert("_v", tp)
        if tp in _NUMBERS and how.decode is None:
            return f"({converted} if {got} or _v == 0 else {fallback})"
        return f"({converted} if {got} else {fallback})"

    def encode(self, tp: Any, value: str, depth: int) -> str:
        """An expression that encodes ``value`` of type ``tp``."""
        kind, of = _classify(tp, self.owner)
        item = f"_i{depth}"
        if kind in ("as is", "scalar"):
            return value
        if kind == "time" or (kind == "optional" and of is datetime):
            return f"_to_iso({value})"  # which passes None through
        if kind == "optional":
            converted = self.encode(of, value, depth)
            return value if converted == value else f"(None if {value} is None else {converted})"
        if kind == "enum":
            return f"{value}.value"
        if kind == "model":
            return f"{self.ref(encoder_for(of))}({value})"
        if kind == "mapping":
            converted = self.encode(of, item, depth + 1)
            if converted == item:
                return value
            return f"{{_k{depth}: {converted} for _k{depth}, {item} in {value}.items()}}"
        built, element_type = of
        element = self.encode(element_type, item, depth + 1)
        listed = f"list({value})" if element == item else f"[{element} for {item} in {value}]"
        return f"sorted({listed})" if built == "frozenset" else listed

    def decode(self, tp: Any, value: str, depth: int) -> str:
        """An expression that decodes ``value`` (a simple name or a subscript) as ``tp``."""
        kind, of = _classify(tp, self.owner)
        item = f"_i{depth}"
        if kind == "as is":
            return value
        if kind == "scalar":
            return f"{of.__name__}({value})"
        if kind == "time":
            return f"_parse_iso({value})"
        if kind == "optional":
            converted = self.decode(of, value, depth)
            return value if converted == value else f"(None if {value} is None else {converted})"
        if kind in ("enum", "model"):
            return f"{self.ref(of if kind == 'enum' else decoder_for(of))}({value})"
        if kind == "mapping":
            converted = self.decode(of, item, depth + 1)
            if converted == item:
                return f"dict({value})"
            return f"{{_k{depth}: {converted} for _k{depth}, {item} in {value}.items()}}"
        built, element_type = of
        element = self.decode(element_type, item, depth + 1)
        if element == item:
            return f"{built}({value})"
        call = element.removesuffix(f"({item})")
        if call != element and call.isidentifier():
            return f"{built}(map({call}, {value}))"
        return f"{built}([{element} for {item} in {value}])"


def _classify(tp: Any, owner: str) -> tuple[str, Any]:
    """What a field type is to the codec, and what it is made of.

    ``("as is", None)``, ``("scalar", str|int|float|bool)``, ``("time", None)``,
    ``("optional", X)``, ``("enum", E)``, ``("model", D)``, ``("mapping", V)`` or
    ``("sequence", (built-in name, element type))``; a type without a record form
    raises TypeError.
    """
    if tp in _SCALARS:
        return "scalar", tp
    if tp in (Any, object, _NONE):
        return "as is", None
    if tp is datetime:
        return "time", None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return "enum", tp
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return "model", tp
    origin, args = typing.get_origin(tp) or tp, typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        others = [arg for arg in args if arg is not _NONE]
        if len(others) == 1:
            return "optional", others[0]
    elif origin in (dict, Mapping):
        return "mapping", args[1] if args else Any
    elif origin in _SEQUENCES and (origin is not tuple or not args or args[1:] == (...,)):
        return "sequence", (_SEQUENCES[origin], args[0] if args else Any)
    raise TypeError(f"{owner}: no record form for {tp!r}")
