"""Notes on customers: one line the team keeps about an author ("VIP", "lawyer involved").

A note belongs to one author on one network (the network's author id), the
same identity the customer view is anchored on. Its text is typed by a team
member, but it is kept and shown like network text: cleaned, on one line, and
never read as markup.

Teammates may edit one note at once: a write names the note it replaces (as the
writer saw it) and is made only if that is still the note, so an edit is never
silently lost; the audit trail keeps the old and the new text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from smm_tui.core.codec import Recorded
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Author, Mention, Platform, to_iso
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import one_line

#: The longest note kept, in characters: a note is a line, not a file.
NOTE_LENGTH = 300


@dataclass(frozen=True, slots=True)
class CustomerNote(Recorded):
    """What the team noted about one author, and who wrote it when."""

    id: str
    platform: Platform
    author_id: str
    handle: str
    text: str
    updated_at: datetime
    updated_by: str
    rev: int = 0


class NoteChanged(Exception):
    """Someone changed (or removed, or wrote) the note since the writer read it: nothing
    was written. ``current`` is the note now."""

    def __init__(self, current: CustomerNote | None) -> None:
        who = one_line(current.updated_by) if current else ""
        did = f"{who or 'a teammate'} changed it" if current else "a teammate removed it"
        super().__init__(f"Note not saved: {did} meanwhile")
        self.current = current


def _guard(base: CustomerNote) -> dict[str, object]:
    """What identifies the note a writer saw: its revision, and when and by whom it was
    written (a note removed and written anew starts its revisions again)."""
    return {"rev": base.rev, "updated_at": to_iso(base.updated_at), "updated_by": base.updated_by}


def note_id(platform: Platform, author_id: str) -> str:
    """The id of the note on an author: one note per author and network."""
    return f"{platform.value}:{author_id}"


def note_text(typed: str) -> str:
    """A typed note as it is kept: one line, cleaned, at most :data:`NOTE_LENGTH` characters."""
    line = one_line(typed)
    return line if len(line) <= NOTE_LENGTH else line[: NOTE_LENGTH - 1] + "…"


class NoteService:
    """Reads and writes the notes on customers."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def get(self, platform: Platform, author_id: str) -> CustomerNote | None:
        """The note on an author, if there is one."""
        record = self.ctx.repo.get(Collection.NOTES, note_id(platform, author_id))
        return None if record is None else CustomerNote.from_record(record)

    def for_mention(self, mention: Mention) -> CustomerNote | None:
        """The note on the author of ``mention``, if there is one."""
        return self.get(mention.platform, mention.author.id)

    async def set(
        self, platform: Platform, author: Author, typed: str, *, base: CustomerNote | None
    ) -> CustomerNote | None:
        """Write the note on an author (an empty text removes it); returns what is kept.

        ``base`` is the note the writer saw when they began (None: there was none).
        Should the note be another by now, nothing is written and NoteChanged says
        whose it is; the caller keeps the typed text to try again.
        """
        key = note_id(platform, author.id)
        text = note_text(typed)
        old = base.text if base else ""
        if old == text:
            return self.get(platform, author.id)
        # Pick up teammates' writes first: a lost race then writes no audit event either.
        await asyncio.wrap_future(self.ctx.repo.refresh())
        current = self.get(platform, author.id)
        if current != base:
            raise NoteChanged(current)
        changes = self._changes(key, platform, author, text, base)
        self.ctx.audit(changes, "note", key, "set" if text else "remove", old=old, new=text)
        event = changes.ops[-1]
        changed = await self.ctx.commit(changes)
        if changes.ops[0] in changed.skipped:  # a teammate wrote between the check and now
            await self.ctx.commit(ChangeSet().delete(event.collection, event.id))
            raise NoteChanged(self.get(platform, author.id))
        return self.get(platform, author.id)

    def _changes(
        self, key: str, platform: Platform, author: Author, text: str, base: CustomerNote | None
    ) -> ChangeSet:
        """The guarded write of ``text`` over ``base``."""
        changes = ChangeSet()
        if not text:
            assert base is not None  # an empty text over no note writes nothing
            return changes.delete(Collection.NOTES, key, expect=_guard(base))
        now, actor = self.ctx.clock(), self.ctx.actor
        note = CustomerNote(key, platform, author.id, author.handle, text, now, actor)
        if base is None:
            return changes.insert_new(Collection.NOTES, note.to_record())
        fields = {k: v for k, v in note.to_record().items() if k not in ("id", "rev")}
        return changes.patch(Collection.NOTES, key, fields, expect=_guard(base))
