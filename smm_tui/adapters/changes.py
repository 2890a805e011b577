"""What the adapters share to report edits and deletions of tracked mentions.

Networks that push such events (VK's long poll, Telegram's updates) deliver
them while mentions are fetched: a :class:`ChangeBuffer` holds them until
:meth:`~smm_tui.adapters.base.Adapter.fetch_changes` hands over the tracked
ones. Networks that do not are asked about each tracked mention again, a few
at a time (:class:`Rotation`), and :func:`compared` says what an answer means
for the mention as it is stored.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

from smm_tui.core.models import Mention, Platform, RevisionKind
from smm_tui.core.network import MentionChange
from smm_tui.core.sanitize import clean_text

__all__ = [
    "BLUESKY_NOTE",
    "BUFFER_SIZE",
    "CHANGE_NOTES",
    "TELEGRAM_NOTE",
    "ChangeBuffer",
    "Rotation",
    "compared",
]

BLUESKY_NOTE = "Bluesky posts cannot be edited; deletions are seen"
TELEGRAM_NOTE = "Telegram does not tell a bot when a message is deleted"
#: What each network cannot show of edits and deletions (absent: it shows both).
CHANGE_NOTES: Mapping[Platform, str] = MappingProxyType(
    {Platform.BLUESKY: BLUESKY_NOTE, Platform.TELEGRAM: TELEGRAM_NOTE}
)
#: How many pushed changes wait for :meth:`ChangeBuffer.take`; the oldest go first.
BUFFER_SIZE = 5000


class ChangeBuffer:
    """Changes a network pushed, oldest first, until the tracked ones are taken.

    Each change comes with the key of the event that brought it (an update id):
    an event drained again (after a failed poll that did not move the cursor)
    is not taken twice. Only the newest :data:`BUFFER_SIZE` changes are kept,
    and as many keys.
    """

    def __init__(self, size: int = BUFFER_SIZE) -> None:
        self._size = size
        self._waiting: OrderedDict[Hashable, MentionChange] = OrderedDict()
        self._keys: OrderedDict[Hashable, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, key: Hashable | None, change: MentionChange) -> None:
        """Keep ``change``, unless the event ``key`` names was kept before (None: no key)."""
        if key is None:
            key = object()  # an event without an id cannot be recognised again
        elif key in self._keys:
            return
        self._keys[key] = None
        self._waiting[key] = change
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)
        while len(self._waiting) > self._size:
            self._waiting.popitem(last=False)

    def take(self, tracked: Iterable[Mention]) -> tuple[MentionChange, ...]:
        """The changes of ``tracked`` mentions, oldest first, forgotten once taken."""
        wanted = {mention.external_id for mention in tracked}
        taken = [key for key, change in self._waiting.items() if change.external_id in wanted]
        return tuple(self._waiting.pop(key) for key in taken)


class Rotation:
    """Which tracked mentions to look up this time, when not all of them fit in one look.

    Those looked at longest ago (or never) come first, in their given order, so
    every tracked mention has its turn however many there are.
    """

    def __init__(self) -> None:
        self._turn = 0
        self._looked: dict[str, int] = {}

    def due(self, tracked: Sequence[Mention], limit: int) -> list[Mention]:
        """Up to ``limit`` of ``tracked`` (each id once), the least recently looked at first."""
        unique = list({mention.external_id: mention for mention in tracked}.values())
        ids = {mention.external_id for mention in unique}
        self._looked = {key: turn for key, turn in self._looked.items() if key in ids}
        unique.sort(key=lambda mention: self._looked.get(mention.external_id, -1))
        return unique[:limit]

    def looked(self, mention: Mention) -> None:
        """Note that ``mention`` was just looked up."""
        self._turn += 1
        self._looked[mention.external_id] = self._turn


def compared(
    tracked: Mention,
    text: str | None,
    *,
    at: datetime | None = None,
    new_external_id: str | None = None,
) -> MentionChange | None:
    """What a fresh look at ``tracked`` means: ``text`` is what the network shows now,
    None when it no longer shows the mention.

    Stored text went through :func:`~smm_tui.core.sanitize.clean_text`, so the
    new text is compared as it would be stored: a mention is edited only when
    that differs. A stored mention already deleted is not deleted again, and
    one the network shows once more is restored. ``at`` and ``new_external_id``
    (X's id of the edited version) go into the change.
    """
    gone = tracked.deleted_at is not None
    if text is None:
        if gone:
            return None
        return MentionChange(tracked.external_id, RevisionKind.DELETED)
    if gone:
        kind = RevisionKind.RESTORED
    elif clean_text(text) != tracked.text:
        kind = RevisionKind.EDITED
    else:
        return None
    return MentionChange(
        tracked.external_id, kind, text=text, at=at, new_external_id=new_external_id
    )
