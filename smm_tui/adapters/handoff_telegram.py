"""A department's Telegram chat: the handoff's text posted there by one of the brand's bots.

One ``sendMessage`` through :class:`~smm_tui.adapters.telegram_api.BotApi`,
which reads Telegram's envelope, honours its ``retry_after`` and types its
errors. The text goes as plain text (no ``parse_mode``: customer words are
never markup) without link previews, cut to Telegram's 4096 characters. The
bot's token is in the URL path: every message is redacted of it.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.handoff_base import HandoffContext, borrowed_client
from smm_tui.adapters.telegram import DEFAULT_BASE_URL
from smm_tui.adapters.telegram_api import REPLY, BotApi
from smm_tui.core.network import HandoffMessage

__all__ = ["TEXT_LIMIT", "TelegramChannel", "clip"]

logger = logging.getLogger(__name__)

#: The longest message text sendMessage takes, in characters.
TEXT_LIMIT = 4096


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text``, or its first ``limit - 1`` characters and "…" when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TelegramChannel:
    """Posts each handoff in one department's chat, as the bot of a Telegram account."""

    kind = "telegram"

    def __init__(
        self,
        department: str,
        *,
        token: str,
        chat_id: str,
        token_env: str = "",
        base_url: str | None = None,
        client: httpx.AsyncClient | None = None,
        deadline: float = http.DEFAULT_DEADLINE,
    ) -> None:
        """``token`` is the bot's (read from ``token_env``, which auth errors name).

        ``client`` is shared and left open; without one, each delivery makes its own.
        """
        self.target = f"chat {chat_id}"
        # Real tokens ("123:AbC-d_e") pass unchanged; anything else must not split the path.
        path_token = quote(token, safe=":")
        self._methods = f"{(base_url or DEFAULT_BASE_URL).rstrip('/')}/bot{path_token}/"
        self._chat: int | str = int(chat_id) if _is_integer(chat_id) else chat_id
        self._client = client
        self._ctx = HandoffContext(
            network=f"telegram to {self.target}",
            account=department,
            secrets=(token, path_token),
            deadline=deadline,
            token_hint=token_env,
        )

    def __repr__(self) -> str:
        return f"TelegramChannel(department={self._ctx.account!r}, target={self.target!r})"

    async def deliver(self, message: HandoffMessage) -> str:
        """Post ``message.text`` in the chat; returns ``"message <message_id>"``."""
        payload = {
            "chat_id": self._chat,
            "text": clip(message.text),
            "link_preview_options": {"is_disabled": True},
        }
        async with borrowed_client(self._client) as client:
            result = await BotApi(client, self._ctx, self._methods).call(
                "sendMessage", payload, REPLY
            )
        sent = result.get("message_id") if isinstance(result, dict) else None
        logger.info("%s: handoff %s delivered", self._ctx.who, message.key)
        if not isinstance(sent, int) or isinstance(sent, bool):
            # Telegram said ok: the message is there, and sending again would repeat it.
            return "message (id not given)"
        return f"message {sent}"


def _is_integer(text: str) -> bool:
    digits = text[1:] if text.startswith("-") else text
    return digits.isascii() and digits.isdigit()
