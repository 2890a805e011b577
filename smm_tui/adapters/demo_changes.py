"""What becomes of the demo's tracked complaints: now and then one is edited or deleted.

A complaint behind a ticket, once tracked for a few looks, may turn into a
short thank-you in its own language (the customer updated the review), or
disappear. Each look's outcome is drawn from a generator of its own, seeded by
the account's :class:`~smm_tui.adapters.demo_identities.Seed`, the comment's id
and how often it has been looked at, so it is the same on every run and takes
nothing from the stream's draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from smm_tui.adapters import demo_corpus as corpus
from smm_tui.adapters.changes import CHANGE_NOTES
from smm_tui.adapters.demo_corpus import Kind
from smm_tui.adapters.demo_identities import Seed
from smm_tui.core.models import Mention, Platform, RevisionKind
from smm_tui.core.network import MentionChange

__all__ = ["QUIET_LOOKS", "THANKS", "Revisions"]

#: How many looks a complaint is tracked for before anything may happen to it.
QUIET_LOOKS = 3
#: The chance, on each look after those, that it is edited or deleted.
_CHANCE = 0.25
#: Of those changes, the share that are edits (the rest are deletions).
_EDIT_SHARE = 0.75
#: What a customer edits a complaint into once the problem is solved, per language.
THANKS: dict[str, tuple[str, ...]] = {
    language: (
        *(text for kind, text in corpus.FOLLOWUPS_OWN[language] if kind is Kind.PRAISE),
        *extra,
    )
    for language, extra in (
        ("ru", ("UPD: всё решили, спасибо поддержке!", "Вопрос закрыт, спасибо за помощь.")),
        ("en", ("UPD: all sorted now, thank you!", "Resolved, thanks to the support team.")),
        ("ar", ("تم الحل، شكراً لفريق الدعم.", "شكراً، وصلت الأموال.")),
    )
}


class Revisions:
    """The edits and deletions the demo account's tracked complaints go through.

    What the simulated network cannot show does not happen: Bluesky's posts
    are never edited and Telegram's messages never deleted. A comment changes
    at most once.
    """

    def __init__(self, seed: Seed, platform: Platform, clock: Callable[[], datetime]) -> None:
        self._seed = seed
        self._clock = clock
        self._edits = platform is not Platform.BLUESKY
        self._deletions = platform is not Platform.TELEGRAM
        #: What the simulated network cannot show of changes, as its adapter says.
        self.note = CHANGE_NOTES.get(platform, "")
        self._looks: dict[str, int] = {}
        self._changed: set[str] = set()

    def look(
        self, tracked: Iterable[Mention], is_complaint: Callable[[str], bool]
    ) -> tuple[MentionChange, ...]:
        """What happened to ``tracked`` since the last look (complaints only, by their ids)."""
        candidates = {
            m.external_id: m
            for m in tracked
            if m.external_id not in self._changed and is_complaint(m.external_id)
        }
        self._looks = {key: self._looks.get(key, 0) + 1 for key in candidates}
        changes = []
        for external_id, mention in candidates.items():
            change = self._draw(mention, self._looks[external_id])
            if change is not None:
                self._changed.add(external_id)
                changes.append(change)
        return tuple(changes)

    def _draw(self, mention: Mention, looks: int) -> MentionChange | None:
        if looks <= QUIET_LOOKS:
            return None
        rng = self._seed.rng("revision", mention.external_id, looks)
        if rng.random() >= _CHANCE:
            return None
        edit = self._edits and (not self._deletions or rng.random() < _EDIT_SHARE)
        at = self._clock()
        if not edit:
            return MentionChange(mention.external_id, RevisionKind.DELETED, at=at, by="author")
        text = rng.choice(THANKS.get(mention.language) or THANKS["en"])
        return MentionChange(mention.external_id, RevisionKind.EDITED, text, at, "author")
