"""VK: whether contest entrants are members of the brand's community (``groups.isMember``).

``groups.isMember`` takes up to :data:`IS_MEMBER_BATCH` ``user_ids`` a call
and, with ``extended=1``, answers ``[{"user_id", "member": 0|1, ...}]``. VK
gives no account's creation date (``users.get`` has no such field), so every
``created_at`` is None. A community writing on the wall (a negative id) has
no membership to check: None too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters.facts import Gathered, bad_field, batches_of
from smm_tui.adapters.http import CallContext
from smm_tui.adapters.vk_api import MENTIONS, VKApi
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author

__all__ = ["IS_MEMBER_BATCH", "MemberCheck"]

#: The most ``user_ids`` one ``groups.isMember`` call takes.
IS_MEMBER_BATCH = 500
_METHOD = "groups.isMember"
_USER_ID = re.compile(r"[1-9][0-9]{0,18}")


class MemberCheck:
    """The membership of people in one community, asked with the community's token."""

    def __init__(
        self, api: VKApi, ctx: CallContext, group_id: int, clock: Callable[[], datetime]
    ) -> None:
        self._api = api
        self._ctx = ctx
        self._group = group_id
        self._clock = clock

    async def facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Each author's membership (None for ids that are not a user's); no creation dates."""
        gathered = Gathered()
        for batch in batches_of(authors, IS_MEMBER_BATCH, _USER_ID.fullmatch):
            params = {"group_id": self._group, "user_ids": ",".join(batch), "extended": 1}
            body = await self._api.call(_METHOD, params, MENTIONS)
            gathered.members(self._members(body), batch, self._clock())
        return gathered.facts(authors, self._clock())

    def _members(self, body: Any) -> dict[str, bool | None]:
        if not isinstance(body, list):
            raise bad_field(self._ctx, _METHOD, "response")
        found: dict[str, bool | None] = {}
        for item in body:
            if not isinstance(item, dict):
                raise bad_field(self._ctx, _METHOD, "response")
            user_id, member = item.get("user_id"), item.get("member")
            if isinstance(user_id, bool) or not isinstance(user_id, int):
                raise bad_field(self._ctx, _METHOD, "user_id")
            if isinstance(member, bool) or member not in (0, 1):
                raise bad_field(self._ctx, _METHOD, "member")
            found[str(user_id)] = member == 1
        return found
