"""Telegram: whether contest entrants are subscribed to the brand's channel (``getChatMember``).

The Bot API asks about one user at a time: ``getChatMember(chat_id, user_id)``
answers a ``ChatMember`` whose ``status`` is ``creator``, ``administrator`` or
``member`` (a member), ``restricted`` (a member when its ``is_member`` is true),
``left`` or ``kicked`` (not). It works for other users only when the bot is an
administrator of the channel. A Telegram user has no creation date, so every
``created_at`` is None; a channel or group writing in its own name (a
negative id) has no membership to check: None too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters.base import PermanentError
from smm_tui.adapters.facts import Gathered, bad_field, batches_of
from smm_tui.adapters.http import CallContext
from smm_tui.adapters.telegram_api import BotApi
from smm_tui.adapters.telegram_posts import Channel
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author

__all__ = ["FACTS", "ChannelMembers"]

#: The rate bucket of membership checks (a 429 there stops neither reading nor replies).
FACTS = "facts"
_METHOD = "getChatMember"
_USER_ID = re.compile(r"[1-9][0-9]{0,18}")
_MEMBERS = frozenset({"creator", "administrator", "member"})
_NOT_MEMBERS = frozenset({"left", "kicked"})


class ChannelMembers:
    """The subscribers of the brand's channel (the account's ``channel`` key), one by one."""

    def __init__(
        self,
        api: BotApi,
        ctx: CallContext,
        channel: Channel | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._api = api
        self._ctx = ctx
        self._channel = channel
        self._clock = clock

    async def facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Each author's membership of the channel (None for ids that are not a user's)."""
        if self._channel is None:
            raise PermanentError(
                f"{self._ctx.who} has no channel to check membership of: "
                'set channel = "@name" in its [[accounts]] block'
            )
        gathered = Gathered()
        for (user_id,) in batches_of(authors, 1, _USER_ID.fullmatch):
            payload = {"chat_id": self._channel.chat_id, "user_id": int(user_id)}
            member = await self._api.call(_METHOD, payload, FACTS)
            gathered.members({user_id: self._is_member(member)}, [user_id], self._clock())
        return gathered.facts(authors, self._clock())

    def _is_member(self, member: Any) -> bool:
        status = member.get("status") if isinstance(member, dict) else None
        if status in _MEMBERS:
            return True
        if status in _NOT_MEMBERS:
            return False
        if status != "restricted":
            raise bad_field(self._ctx, _METHOD, "status")
        is_member = member.get("is_member")
        if not isinstance(is_member, bool):
            raise bad_field(self._ctx, _METHOD, "is_member")
        return is_member
