"""The config file's shape as msgspec structs: keys, types and what each must be.

Every struct forbids unknown fields, and ``[[accounts]]`` is a union tagged on
``platform``: one struct per network, built from :data:`core.platforms.PLATFORMS`,
so a network's own keys (``group_id``, ``handle`` …) are checked by its type and
the table stays the one place they are declared.

Each field carries its wording for errors as ``Meta(description=...)``:
``'demo.seed' must be <description>, got "x"``. Checks a type cannot state
(a name without spaces, a query that parses, an assignee among the users) are
the loader's, in :mod:`smm_tui.config.build`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Union

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from smm_tui.config.model import DEFAULT_DEMO_SEED, DEFAULT_RATE_PER_MINUTE
from smm_tui.core.models import Intent, Platform
from smm_tui.core.network import DEFAULT_BACKFILL
from smm_tui.core.platforms import PLATFORMS, KeyKind, PlatformSpec

#: The field every ``[[accounts]]`` table is told apart by.
TAG_FIELD = "platform"
#: Fields whose value is never shown in an error: it may be (or hold) a token.
SECRET_FIELDS = frozenset({"token", "token_env", "user_token_env", "secret_env", "password_env"})
#: A week of minutes: the longest first-response target.
_WEEK = 7 * 24 * 60
_LARGEST_FLOAT = 1.7976931348623157e308
SIMULATED = tuple(p.value for p in Platform if p is not Platform.DEMO)
INTENTS = tuple(intent.value for intent in Intent)

NonEmpty = Annotated[str, Meta(pattern=r"\S", description="a non-empty string")]
Names = Annotated[list[NonEmpty], Meta(min_length=1, description="a non-empty list of strings")]
Minutes = Annotated[
    float, Meta(gt=0, le=_WEEK, description="a positive number of minutes (at most a week)")
]
Day = Annotated[
    str, Meta(pattern="^(?i:mon|tue|wed|thu|fri|sat|sun)", description="a day such as mon")
]
Tag = Annotated[str, Meta(min_length=1, description="a tag or a list of tags")]

#: A Telegram chat: ``@name`` or its numeric id.
_CHAT = Annotated[
    Annotated[str, Meta(pattern=r"^@[A-Za-z0-9_]{4,}$|^-?[0-9]+$")] | int,
    Meta(description=KeyKind.CHAT.value),
]

#: A platform key's type, by what it holds.
KEY_TYPES: dict[KeyKind, Any] = {
    KeyKind.POSITIVE_INT: Annotated[int, Meta(gt=0, description=KeyKind.POSITIVE_INT.value)],
    KeyKind.WHOLE: Annotated[int, Meta(description=KeyKind.WHOLE.value)],
    KeyKind.NON_EMPTY: NonEmpty,
    KeyKind.NETWORK: Annotated[
        str,
        Meta(pattern=f"^({'|'.join(SIMULATED)})$", description=f"one of {', '.join(SIMULATED)}"),
    ],
    KeyKind.ENV_NAME: Annotated[
        str, Meta(pattern="^[A-Za-z_][A-Za-z0-9_]*$", description=KeyKind.ENV_NAME.value)
    ],
    KeyKind.CHAT: _CHAT,
}


_DURATION = Annotated[
    str,
    Meta(pattern=r"^\s*(\d+\s*[smhdSMHD]\s*)+$", description='a duration such as "6h" or "90m"'),
]


class Table(Struct, forbid_unknown_fields=True, kw_only=True):
    """A TOML table: unknown keys are errors."""


class AccountTable(Table, tag_field=TAG_FIELD):
    """The keys every ``[[accounts]]`` table may have; a network's struct adds its own."""

    name: NonEmpty
    sla_minutes: Minutes | None = None
    backfill: Annotated[int, Meta(ge=0, description="a whole number >= 0")] = DEFAULT_BACKFILL


_URL = Annotated[str, Meta(description="an http(s) URL")]
_TOKEN_ENV = Annotated[
    str,
    Meta(
        pattern="^[A-Za-z_][A-Za-z0-9_]*$",
        description=(
            "the name of an environment variable (letters, digits, _), not the token itself"
        ),
    ),
]
_TOKEN = Annotated[str, Meta(min_length=1, description="a non-empty string")]


def _account_fields(entry: PlatformSpec) -> list[tuple[str, Any, Any] | tuple[str, Any]]:
    """The fields a network adds to :class:`AccountTable`, from its table entry."""
    fields: list[tuple[str, Any, Any] | tuple[str, Any]] = []
    if entry.needs_token:
        # A server of one's own (a Mastodon instance, a proxy, a test server).
        fields.append(("base_url", _URL) if entry.needs_base_url else ("base_url", _URL, None))
        fields += [("token_env", _TOKEN_ENV | None, None), ("token", _TOKEN | None, None)]
    for key in entry.config_keys:
        kind = KEY_TYPES[key.kind]
        fields.append((key.name, kind) if key.required else (key.name, kind | UnsetType, UNSET))
    return fields


#: One struct per platform, tagged by its ``platform`` value.
ACCOUNT_TABLES: dict[Platform, type[Struct]] = {
    platform: msgspec.defstruct(
        f"{entry.name}Account",
        _account_fields(entry),
        bases=(AccountTable,),
        tag=platform.value,
        kw_only=True,
        module=__name__,
    )
    for platform, entry in PLATFORMS.items()
}

if TYPE_CHECKING:
    AnyAccount = AccountTable
else:
    AnyAccount = Union[tuple(ACCOUNT_TABLES.values())]  # noqa: UP007 (built at run time)


class DemoTable(Table):
    """``[demo]``."""

    rate_per_minute: Annotated[
        float, Meta(gt=0, le=_LARGEST_FLOAT, description="a positive number")
    ] = DEFAULT_RATE_PER_MINUTE
    seed: Annotated[int, Meta(description="a whole number")] = DEFAULT_DEMO_SEED


class SlaTable(Table):
    """``[sla]``: ``warn_minutes`` defaults to half the target, at most 3."""

    minutes: Minutes = 10.0
    warn_minutes: (
        Annotated[float, Meta(ge=0, description="a number from 0 to below minutes")] | None
    ) = None
    business_hours: Annotated[str, Meta(description='a range such as "09:00-18:00"')] | None = None
    business_days: Annotated[
        list[Day], Meta(min_length=1, description='a list such as ["mon", "tue"]')
    ] = msgspec.field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    timezone: Annotated[str, Meta(description="a time zone name such as Europe/Moscow")] = "UTC"
    applies_to: (
        Annotated[
            list[Annotated[Intent, Meta(description=f"one of: {', '.join(INTENTS)}")]],
            Meta(description=f"a list of intents from: {', '.join(INTENTS)}"),
        ]
        | None
    ) = None


class TriageTable(Table):
    """``[triage]``."""

    alarm_keywords: Names | None = None


class RuleTable(Table):
    """One ``[[rules]]`` table."""

    name: NonEmpty
    when: NonEmpty
    tag: Annotated[Tag | list[Tag], Meta(description="a tag or a list of tags")] = msgspec.field(
        default_factory=list
    )
    assign: Annotated[str, Meta(description="one of users")] | None = None
    department: Annotated[str, Meta(description="one of departments")] | None = None
    spam: Annotated[bool, Meta(description="true or false")] = False
    raise_priority: Annotated[
        int, Meta(ge=-100, le=100, description="a whole number from -100 to 100")
    ] = 0


class PublishingTable(Table):
    """``[publishing]``."""

    utm: Annotated[bool, Meta(description="true or false")] = False
    own_domains: Annotated[
        list[NonEmpty], Meta(description='a list of domains such as ["bank.example"]')
    ] = msgspec.field(default_factory=list)
    late_limit: _DURATION = "6h"
    growth_every: _DURATION = "1h"


#: How a department hears about tickets (``[[departments]] handoff``).
HANDOFFS = ("webhook", "email", "telegram", "none")
_SECRET_ENV = Annotated[
    str,
    Meta(
        pattern="^[A-Za-z_][A-Za-z0-9_]*$",
        description=(
            "the name of an environment variable (letters, digits, _), not the secret itself"
        ),
    ),
]
_ADDRESS = Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+$", description="an email address")]


class DepartmentTable(Table):
    """One ``[[departments]]`` table; which keys a handoff needs is the loader's check."""

    name: NonEmpty
    handoff: Annotated[
        str,
        Meta(pattern=f"^({'|'.join(HANDOFFS)})$", description=f"one of {', '.join(HANDOFFS)}"),
    ] = "none"
    url: _URL | None = None
    secret_env: _SECRET_ENV | None = None
    smtp_host: (
        Annotated[str, Meta(pattern=r"^[^\s/@]+$", description="a host name such as smtp.example")]
        | None
    ) = None
    smtp_port: Annotated[int, Meta(ge=1, le=65535, description="a port number from 1 to 65535")] = (
        587
    )
    starttls: Annotated[bool, Meta(description="true or false")] = True
    #: ``from`` in the file (a Python keyword).
    sender: _ADDRESS | None = msgspec.field(default=None, name="from")
    to: (
        Annotated[
            _ADDRESS | Annotated[list[_ADDRESS], Meta(min_length=1)],
            Meta(description="an email address or a non-empty list of them"),
        ]
        | None
    ) = None
    username: NonEmpty | None = None
    password_env: _SECRET_ENV | None = None
    account: Annotated[str, Meta(description="the name of a telegram account")] | None = None
    chat_id: _CHAT | None = None


class TicketsTable(Table):
    """``[tickets]``."""

    confirm_within: _DURATION = "3d"


#: ``[trends] sensitivity``, from fewest alerts to most (the alphas are in ``config.model``).
SENSITIVITIES = ("low", "normal", "high")
_QUIET = Annotated[str, Meta(description='a range such as "22:00-08:00"')]


class TrendsTable(Table):
    """``[trends]``: spike alerts and rising terms."""

    sensitivity: Annotated[
        str,
        Meta(
            pattern=f"^({'|'.join(SENSITIVITIES)})$",
            description=f"one of {', '.join(SENSITIVITIES)}",
        ),
    ] = "normal"
    min_count: Annotated[
        int, Meta(ge=1, le=10_000, description="a whole number from 1 to 10000")
    ] = 5
    quiet_hours: (
        Annotated[
            _QUIET | list[_QUIET],
            Meta(description='a range such as "22:00-08:00" or a list of them'),
        ]
        | None
    ) = None
    ignore: Annotated[
        list[NonEmpty], Meta(description='a list of words such as ["банк", "bank"]')
    ] = msgspec.field(default_factory=list)


#: Replies a minute to one account, for ``[incidents] per_minute``.
_PER_MINUTE = Annotated[
    float, Meta(gt=0, le=6000, description="a number of replies a minute above 0, at most 6000")
]


class PerMinuteTable(Table):
    """``[incidents] per_minute``: replies a minute to one account, by network."""

    vk: _PER_MINUTE | None = None
    telegram: _PER_MINUTE | None = None
    mastodon: _PER_MINUTE | None = None
    bluesky: _PER_MINUTE | None = None
    x: _PER_MINUTE | None = None
    demo: _PER_MINUTE | None = None


class IncidentsTable(Table):
    """``[incidents]``: how fast an incident's replies go out."""

    per_minute: Annotated[
        PerMinuteTable, Meta(description="a table such as { vk = 20, mastodon = 30 }")
    ] = msgspec.field(default_factory=PerMinuteTable)


class SavedReplyTable(Table):
    """One ``[[saved_replies]]`` table (its fields are checked when it is used, not here)."""

    name: NonEmpty
    body: NonEmpty
    language: (
        Annotated[
            str,
            Meta(
                pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$",
                description='a language code such as "ru" or "en-GB"',
            ),
        ]
        | None
    ) = None
    tags: Annotated[Tag | list[Tag], Meta(description="a tag or a list of tags")] = msgspec.field(
        default_factory=list
    )


class Document(Table):
    """The whole file."""

    user: NonEmpty | None = None
    users: Names | None = None
    #: Names, or ``[[departments]]`` tables (TOML allows both in one inline array).
    departments: (
        Annotated[
            list[NonEmpty | DepartmentTable],
            Meta(
                min_length=1,
                description="a non-empty list of names or an array of tables ([[departments]])",
            ),
        ]
        | None
    ) = None
    accounts: Annotated[
        list[Annotated[AnyAccount, Meta(description="a table")]],
        Meta(description="an array of tables ([[accounts]])"),
    ] = msgspec.field(default_factory=list)
    demo: DemoTable = msgspec.field(default_factory=DemoTable)
    sla: SlaTable = msgspec.field(default_factory=SlaTable)
    triage: TriageTable = msgspec.field(default_factory=TriageTable)
    publishing: PublishingTable = msgspec.field(default_factory=PublishingTable)
    tickets: TicketsTable = msgspec.field(default_factory=TicketsTable)
    trends: TrendsTable = msgspec.field(default_factory=TrendsTable)
    incidents: IncidentsTable = msgspec.field(default_factory=IncidentsTable)
    #: name → query; checked by the loader, which names the view in its error.
    views: Annotated[dict[str, object], Meta(description="a table ([views])")] | None = None
    rules: Annotated[list[RuleTable], Meta(description="an array of tables ([[rules]])")] = (
        msgspec.field(default_factory=list)
    )
    #: binding id → keys; TOML may nest dotted ids, so the loader flattens and checks it.
    keymap: Annotated[dict[str, object], Meta(description="a table ([keymap])")] = msgspec.field(
        default_factory=dict
    )
    saved_replies: Annotated[
        list[SavedReplyTable], Meta(description="an array of tables ([[saved_replies]])")
    ] = msgspec.field(default_factory=list)
