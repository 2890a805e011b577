"""What a workspace opens beside the store: the departments' channels and the saved replies.

:class:`HandoffChannels` builds each department's handoff channel on first use
and closes their shared HTTP client in the loop that made it;
:class:`SavedRepliesWatch` tells the app when ``saved_replies.toml`` changed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping

import httpx

from smm_tui.adapters.http import make_client
from smm_tui.config import Config, ConfigError
from smm_tui.config.saved_replies import SavedRepliesFile, merged, saved_replies_path
from smm_tui.core.handoffs import no_channels
from smm_tui.core.network import HandoffChannel
from smm_tui.core.saved_replies import SavedReply
from smm_tui.core.workspace import Workspace


def saved_replies_of(config: Config) -> tuple[SavedReply, ...]:
    """The config's ``[[saved_replies]]`` and those of ``saved_replies.toml`` beside it (the
    file's win on a name clash); a bad file raises :class:`ConfigError` naming it."""
    if config.source is None:
        return config.saved_replies
    side = SavedRepliesFile(saved_replies_path(config.source)).read()
    return merged(config.saved_replies, side)


class SavedRepliesWatch:
    """Tells the app when ``saved_replies.toml`` beside the config changed (hot reload)."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._file = (
            None if config.source is None else SavedRepliesFile(saved_replies_path(config.source))
        )
        if self._file is not None and self._file.changed():
            with contextlib.suppress(ConfigError):  # said at start already
                self._file.read()

    def check(self) -> tuple[SavedReply, ...] | str | None:
        """The saved replies anew if the file changed, a one-line error if it is bad now,
        or None when nothing changed (one ``stat``: call it from a worker)."""
        if self._file is None or not self._file.changed():
            return None
        try:
            return merged(self._config.saved_replies, self._file.read())
        except ConfigError as exc:
            return f"{exc}; the saved replies in use are kept"


class HandoffChannels:
    """Each department's handoff channel, built from the config on first use and kept.

    Called with a department, it gives the channel or why there is none, in one
    line (a :data:`~smm_tui.core.handoffs.ChannelLookup`). The webhook and
    Telegram channels share one HTTP client, made with the first of them (in
    the event loop that delivers) and closed by :meth:`aclose`.
    """

    def __init__(self, config: Config, env: Mapping[str, str]) -> None:
        self._config = config
        self._env = dict(env)
        self._built: dict[str, HandoffChannel | str] = {}
        self._client: httpx.AsyncClient | None = None
        #: The event loop the client was made in (None: outside any).
        self._loop: asyncio.AbstractEventLoop | None = None

    def __call__(self, department: str) -> HandoffChannel | str:
        if department not in self._built:
            self._built[department] = self._build(department)
        return self._built[department]

    def _build(self, department: str) -> HandoffChannel | str:
        table = self._config.handoff(department)
        if table is None:
            return no_channels(department)
        # The channels (smtplib, email) load only for a team whose departments have one.
        from smm_tui.adapters.handoff import HandoffUnavailable, build_handoff_channel

        if self._client is None:
            self._client = make_client()
            self._loop = _running_loop()
        try:
            return build_handoff_channel(table, self._config, self._env, client=self._client)
        except HandoffUnavailable as exc:
            return str(exc)

    @property
    def open(self) -> bool:
        """Whether the shared client is made and not closed yet."""
        return self._client is not None

    async def aclose(self) -> None:
        """Close the shared client; the channels built on it are forgotten (built anew if asked)."""
        client, self._client = self._client, None
        self._built.clear()
        if client is not None:
            await client.aclose()

    def close_now(self) -> None:
        """:meth:`aclose` from code outside that loop (a workspace's end), in the loop the
        client was made in while it is there.

        A client whose loop has ended (an app's, once it quit) cannot be closed
        any more: it is dropped, its sockets left to the end of the process.
        """
        loop = self._loop
        if self._client is None or (loop is not None and loop.is_running()):
            return
        if loop is None:
            asyncio.run(self.aclose())
        elif loop.is_closed():
            self._client = None
            self._built.clear()
        else:
            loop.run_until_complete(self.aclose())


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def workspace_closers(workspace: Workspace) -> list[Callable[[], Awaitable[None]]]:
    """What to close in the event loop a workspace was used in, besides its sources."""
    channels = workspace.handoffs.channels
    return [channels.aclose] if isinstance(channels, HandoffChannels) else []
