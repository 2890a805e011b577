"""The classifier's lexicon: the kinds of evidence, and what no one language owns.

The words themselves are per language, in :mod:`smm_tui.core.lexicon_ru`,
:mod:`smm_tui.core.lexicon_en` and :mod:`smm_tui.core.lexicon_ar`, as rows of
``(kind, weight, "word word …")``; phrases are separated by ``|``. Weights are
magnitudes: the kind gives the sign when a hit is scored. This module holds the
kinds (:class:`Kind`), the emoji and the clause breaks. Nothing here runs: the classifier
(:mod:`smm_tui.core.classify`) reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# -- kinds of evidence ------------------------------------------------------------------------


class Kind:
    """The kinds of evidence: what a lexicon row says, and what a hit read from a text is."""

    BAD: Final = "bad"  # negative tone; negated it turns mildly positive ("не плохо")
    GOOD: Final = "good"  # positive tone; negated it turns negative ("не рекомендую")
    THANKS: Final = "thanks"  # gratitude: positive, and the usual vehicle of sarcasm
    ISSUE: Final = "issue"  # a concrete problem; negation does not undo "no refund"
    WORKS: Final = "works"  # neutral verbs that are a problem when negated ("не работает")
    FIXED: Final = "fixed"  # a resolution; it outweighs the problem it mentions
    REPEAT: Final = "repeat"  # "опять", "again": weak blame, and a sarcasm cue
    SPAM: Final = "spam"
    #: Spam evidence only beside real spam markers: "free", and (on the raw shape) money,
    #: a stranger's handle, many emoji. "Why a $5 fee when my plan is free?" is no spam.
    WEAK_SPAM: Final = "weak_spam"
    SARCASM: Final = "sarcasm"  # set phrases that are blame dressed as thanks
    NEGATE: Final = "negate"  # multi-word negators ("no one")
    QUESTION: Final = "question"  # question cues anywhere in the text ("подскажите")
    IGNORE: Final = "ignore"  # phrases that would otherwise mislead ("не могу сказать")


#: A lexicon row: its kind, its weight, and its words (or ``|``-separated phrases).
Row = tuple[str, float, str]
#: What a word or phrase looks up to: its kind and weight.
Entry = tuple[str, float]


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a set."""
    return frozenset(text.split())


#: Punctuation that ends a clause: it ends a negation's reach and an "if" clause.
CLAUSE_BREAKS: Final = frozenset(".,!?;:…؟،")

# -- emoji ------------------------------------------------------------------------------------

#: Emoji → signed tone weight (0: decided by what surrounds it).
EMOJI: Final[Mapping[str, float]] = MappingProxyType(
    {
        emoji: weight
        for weight, emojis in [
            (-2.5, "🤬"),
            (-2.0, "😡👎😠💩🤮"),
            (-1.5, "😤🤡💔"),
            (-1.0, "😢😭😞😒🙄😩😫"),
            (-0.5, "😑🙃"),
            (0.0, "👏"),  # applause or sarcasm: decided by what surrounds it
            (0.5, "🙂✨😂🤣"),
            (1.0, "🙏😊😀😃😄😁💪🤝⭐🎉😎"),
            (1.5, "🔥👍💯👌🏆"),
            (2.0, "❤😍🥰💖💕💙💚🤩"),
        ]
        for emoji in emojis
    }
)
#: Eye-rolls and clowns next to praise are sarcasm; 👏 only when a complaint is nearby.
SARCASTIC_EMOJI: Final = frozenset("🙄🤡🙃😒")
CLAP: Final = "👏"
#: Emoji that advertise: money, gifts, pointing fingers, rockets.
SPAM_EMOJI: Final = frozenset("💰💸🎁👇👉🤑💵🚀📈✅💎")
