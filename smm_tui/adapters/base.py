"""The contract every network adapter implements, the demo one included.

An adapter turns one account on one network into plain domain objects. It
never touches the store or the UI: the ingest service stores what it returns,
and the outbox hands it replies to publish. Every method is async; nothing
but the typed errors below may escape one.
"""

from __future__ import annotations

import abc
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, Platform
from smm_tui.core.network import (
    AdapterError,
    AuthError,
    Identity,
    MentionChange,
    MentionPage,
    PermanentError,
    PostCounters,
    PublishedReply,
    RateBudget,
    RateLimited,
    TransientError,
    Unverifiable,
    is_our_reply,
)
from smm_tui.core.platforms import spec

__all__ = [
    "Adapter",
    "AdapterError",
    "AuthError",
    "Identity",
    "MentionChange",
    "MentionPage",
    "PermanentError",
    "PostCounters",
    "PublishedReply",
    "RateBudget",
    "RateLimited",
    "TransientError",
    "Unverifiable",
    "count_or_none",
    "id_batches",
    "noted_counters",
]


logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

#: The operations whose callers rely on nothing but AdapterError escaping.
CONTRACT_METHODS = (
    "verify",
    "fetch_mentions",
    "fetch_thread",
    "fetch_post_comments",
    "post_reply",
    "find_reply",
    "publish_post",
    "find_post",
    "follower_count",
    "post_counters",
    "fetch_changes",
    "author_facts",
)


def typed_errors_only(
    method: Callable[Concatenate[Adapter, P], Awaitable[R]],
) -> Callable[Concatenate[Adapter, P], Awaitable[R]]:
    """Wrap an adapter operation so that only :class:`AdapterError` can escape it.

    Adapters parse hostile answers with care; this is the backstop for the
    shape nobody foresaw. Anything else becomes a :class:`TransientError`
    naming the account (the original is logged with its traceback, redacted
    by the log handler). For ``post_reply`` that is the safe reading: the
    request may have gone out, so the outbox looks in the thread before
    sending again.
    """

    @functools.wraps(method)
    async def guarded(self: Adapter, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except AdapterError:
            raise
        except Exception as exc:
            who = self._who()
            logger.warning("%s: %s failed unexpectedly", who, method.__name__, exc_info=True)
            name = type(exc).__name__
            raise TransientError(
                f"{who}: unexpected answer in {method.__name__} ({name})"
            ) from None

    return guarded


class Adapter(abc.ABC):
    """One account on one network.

    Every subclass's :data:`CONTRACT_METHODS` are wrapped by
    :func:`typed_errors_only`, so callers need handle only :class:`AdapterError`.
    A network's adapter names its network in the class statement
    (``class VKAdapter(HttpAdapter, network=Platform.VK)``) and takes
    :attr:`platform`, :attr:`reply_limit` and :attr:`idempotent_replies` from
    that network's entry in :data:`smm_tui.core.platforms.PLATFORMS`.
    """

    def __init_subclass__(cls, network: Platform | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if network is not None:
            facts = spec(network)
            cls.platform = network
            cls.reply_limit = facts.reply_limit
            cls.idempotent_replies = facts.capabilities.idempotency_keys
            if "idempotent_posts" not in cls.__dict__:  # a network may make posts idempotent
                cls.idempotent_posts = facts.capabilities.idempotency_keys
        for name in CONTRACT_METHODS:
            if name in cls.__dict__:
                setattr(cls, name, typed_errors_only(cls.__dict__[name]))

    platform: Platform
    #: The most characters (as the network counts them) a reply may have.
    reply_limit: int
    #: True when the network drops a repeated post with the same idempotency key.
    idempotent_replies: bool = False
    #: True when a repeated post with the same key cannot be published twice.
    idempotent_posts: bool = False
    #: Seconds between polls, when the adapter knows better than the network's default.
    poll_interval: float | None = None

    def __init__(self, account: str) -> None:
        self.account = account
        self._identity: Identity | None = None

    async def identity(self) -> Identity:
        """Who the account is: :meth:`verify`, asked once and remembered."""
        if self._identity is None:
            self._identity = await self.verify()
        return self._identity

    @abc.abstractmethod
    async def verify(self) -> Identity:
        """Check the credentials and say who we are on the network."""

    @abc.abstractmethod
    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Every mention newer than ``cursor``, oldest first, paging until caught up.

        With no cursor (an account's first poll) the adapter reads back through
        the network's pages until it holds the account's ``backfill`` newest
        mentions or the network has no more, and returns at most that many, with
        the cursor for the newest. A rate limit mid-way raises :class:`RateLimited`
        and hands out no cursor: the next first poll resumes or redoes the backfill.
        """

    @abc.abstractmethod
    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The thread around ``mention``: ancestors from the root, oldest first, then replies."""

    @abc.abstractmethod
    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every comment on one of the account's posts (for contests), oldest first."""

    @abc.abstractmethod
    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish ``text`` as a reply to ``mention``."""

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        """Our reply with ``text`` below ``mention`` if it is already published (thread check).

        Adapters of networks that cannot read a thread raise :class:`Unverifiable`.
        """
        me = await self.identity()
        for item in await self.fetch_thread(mention):
            if is_our_reply(item, mention, text, me.user_id):
                return PublishedReply(item.external_id, item.url)
        return None

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` as a new post of the account; ``key`` is stable across attempts."""
        raise PermanentError(f"{self._who()}: publishing is not available on this network")

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Our post with ``text`` published at or after ``since`` (after a lost answer), if any.

        Networks that cannot list the account's own posts raise :class:`Unverifiable`.
        """
        raise Unverifiable(f"{self._who()}: cannot list the account's posts")

    #: What this network cannot show of edits and deletions, in words (empty: it shows both).
    change_note: str = ""

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """Edits, deletions and restores of ``tracked`` mentions since the last look.

        Networks that push such events hand over the ones collected while
        fetching mentions; others look each tracked mention up again. The base
        knows of none.
        """
        return ()

    async def follower_count(self) -> int:
        """The account's followers, subscribers or members now."""
        raise PermanentError(f"{self._who()}: follower counts are not available")

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Likes, reposts, replies and views of some of the account's posts, by external id."""
        raise PermanentError(f"{self._who()}: post counters are not available")

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Whether each author is a member of the brand's community and when their account
        was made, by author id (for contests); the base knows of no way to ask."""
        raise PermanentError(f"{self._who()}: facts about contest entrants are not available")

    def _who(self) -> str:
        return f"{self.platform.value} account '{self.account}'"

    def rate_budget(self) -> RateBudget | None:
        """What is left of the request budget for fetching mentions, if the network says."""
        return None

    def reply_length(self, text: str) -> int:
        """The length of ``text`` as this network counts it against :attr:`reply_limit`."""
        return len(text)

    async def aclose(self) -> None:
        """Release connections; the adapter is not used afterwards."""
        return


def count_or_none(value: object) -> int | None:
    """``value`` if it is a count as a network gives one (a whole number, not negative), else None.

    A boolean is no count, though Python takes it for an int.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def noted_counters(
    figures: Iterable[tuple[str, str, int | None]], missing: str, *, always: str = ""
) -> PostCounters:
    """A post's counters from ``(our name, the network's word, value)`` figures.

    A figure the network left out is None, never 0, and the note names it:
    ``missing`` with ``{}`` standing for the words of every missing figure,
    after ``always`` (what the network never gives), joined by ``"; "``. A
    counter not among ``figures`` is None, as :class:`PostCounters` has it.
    """
    figures = tuple(figures)
    gaps = ", ".join(word for _, word, value in figures if value is None)
    note = "; ".join(part for part in (always, missing.format(gaps) if gaps else "") if part)
    return PostCounters(**{name: value for name, _, value in figures}, note=note)


def id_batches(
    external_ids: Iterable[str], size: int, valid: Callable[[str], object]
) -> list[list[str]]:
    """The ``valid`` ones of ``external_ids``, each once and in order, in batches of ``size``.

    An id that is not valid cannot be one of the account's posts, and must not
    go into a URL or a query.
    """
    wanted = [external_id for external_id in dict.fromkeys(external_ids) if valid(external_id)]
    return [wanted[at : at + size] for at in range(0, len(wanted), size)]
