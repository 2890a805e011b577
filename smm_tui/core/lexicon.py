"""The classifier's lexicon: the kinds of evidence, the word tables, and what no language owns.

The words themselves are data, one file per language under ``lexicons/`` (``ru.txt``,
``en.txt``, ``ar.txt``), read once at import into :data:`LANGUAGES`. A file has
sections: ``[exact]``, ``[stems]`` and ``[phrases]`` hold rows of
``kind weight word word …`` (phrases separated by ``|``); the other sections
(``[negators]``, ``[prefixes]``, …) hold function words. Weights are magnitudes:
the kind gives the sign when a hit is scored. This module also holds the kinds
(:class:`Kind`), the emoji and the clause breaks. Nothing here classifies:
:mod:`smm_tui.core.classify_words` merges the languages for the classifier.
"""

from __future__ import annotations

import math
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
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


#: Every kind a lexicon row may name.
KINDS: Final = frozenset(
    value for name, value in vars(Kind).items() if name.isupper() and isinstance(value, str)
)


#: A lexicon row: its kind, its weight, and its words (or ``|``-separated phrases).
Row = tuple[str, float, str]
#: What a word or phrase looks up to: its kind and weight.
Entry = tuple[str, float]


#: Punctuation that ends a clause: it ends a negation's reach and an "if" clause.
CLAUSE_BREAKS: Final = frozenset(".,!?;:…؟،")

# -- the word tables, read from lexicons/*.txt ---------------------------------------------------

#: Sections of rows (``kind weight words…``).
ROW_SECTIONS: Final = ("exact", "stems", "phrases")
#: Sections of function words, in the order the words are written.
WORD_SECTIONS: Final = frozenset(
    {
        "negators",
        "intensifiers",
        "post_intensifiers",
        "contrast",
        "conditionals",
        "disjunctions",
        "fee_words",
        "question_openers",
        "question_anywhere",
        "cant",
        "auxiliaries",
        "subjects",
        "what_followers",
        "prefixes",
    }
)


class LexiconError(ValueError):
    """A lexicon file that cannot be read; the message starts with ``file:line:``."""


@dataclass(frozen=True, slots=True)
class Language:
    """One language's tables, as its lexicon file has them."""

    #: Words looked up exactly (a stem would over-match them).
    exact: tuple[Row, ...]
    #: Stems: the longest one that begins a word wins.
    stems: tuple[Row, ...]
    #: Phrases of 2 to 4 words, matched on whole tokens before single words.
    phrases: tuple[Row, ...]
    #: Function-word section → its words, in file order (absent sections are empty).
    word_lists: Mapping[str, tuple[str, ...]]

    def words(self, section: str) -> frozenset[str]:
        """The function words of ``section`` as a set (empty if this language has none)."""
        return frozenset(self.ordered(section))

    def ordered(self, section: str) -> tuple[str, ...]:
        """The function words of ``section`` in file order, for lists where order matters."""
        if section not in WORD_SECTIONS:
            raise KeyError(f"no lexicon section {section!r}")
        return self.word_lists.get(section, ())


def _row(fields: list[str], where: str) -> Row:
    if len(fields) < 3:
        raise LexiconError(f"{where}: a row needs a kind, a weight and at least one word")
    kind, weight_text, *row_words = fields
    if kind not in KINDS:
        raise LexiconError(f"{where}: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
    try:
        weight = float(weight_text)
    except ValueError:
        raise LexiconError(f"{where}: weight {weight_text!r} is not a number") from None
    if not math.isfinite(weight) or weight < 0:
        raise LexiconError(f"{where}: weight {weight_text!r} must be a finite magnitude >= 0")
    text = " ".join(row_words)
    if any(not phrase.split() for phrase in text.split("|")):
        raise LexiconError(f"{where}: an empty phrase between '|' separators")
    return (kind, weight, text)


def parse_lexicon(text: str, source: str) -> Language:
    """Read one lexicon file's ``text``; errors name ``source`` and the line."""
    rows: dict[str, list[Row]] = {section: [] for section in ROW_SECTIONS}
    word_lists: dict[str, list[str]] = {}
    seen: set[str] = set()
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.partition("#")[0].strip()
        if not line:
            continue
        where = f"{source}:{number}"
        if line.startswith("["):
            section = line.removeprefix("[").removesuffix("]").strip()
            if not line.endswith("]") or section not in (*ROW_SECTIONS, *WORD_SECTIONS):
                raise LexiconError(f"{where}: unknown section {line!r}")
            if section in seen:
                raise LexiconError(f"{where}: section [{section}] appears twice")
            seen.add(section)
        elif section in rows:
            rows[section].append(_row(line.split(), where))
        elif section:
            word_lists.setdefault(section, []).extend(line.split())
        else:
            raise LexiconError(f"{where}: a row before any [section]")
    return Language(
        exact=tuple(rows["exact"]),
        stems=tuple(rows["stems"]),
        phrases=tuple(rows["phrases"]),
        word_lists=MappingProxyType({name: tuple(found) for name, found in word_lists.items()}),
    )


def load_language(code: str) -> Language:
    """Read the packaged lexicon of language ``code`` (``lexicons/{code}.txt``)."""
    # pkgutil.get_data asks the package's loader, so the files are found in a wheel, a zip or
    # a source tree alike; importlib.resources would do the same but costs ~8 ms of import.
    resource = f"lexicons/{code}.txt"
    try:
        data = pkgutil.get_data("smm_tui.core", resource)
    except OSError as error:
        raise LexiconError(f"{resource}: cannot be read ({error.strerror})") from error
    if data is None:
        raise LexiconError(f"{resource}: the package's loader cannot read data files")
    return parse_lexicon(data.decode("utf-8"), resource)


#: Every language's tables, by language code. The order matters: where two languages
#: list the same word, the later one's entry wins when the tables are merged.
LANGUAGES: Final[Mapping[str, Language]] = MappingProxyType(
    {code: load_language(code) for code in ("ru", "en", "ar")}
)

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
