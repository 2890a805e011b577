"""Near-duplicate complaints: which texts say the same thing, for gathering an incident (issue 16).

A text is folded the way queries fold it (:func:`~smm_tui.core.query_ast.fold`), its
links, ``@handles``, numbers (order numbers, card masks such as ``*1234``), emoji and
punctuation dropped, and each remaining word read as its Snowball stem, so that
``карта``, ``карту`` and ``картой`` are one word (:func:`fold_words`). Its features are
those stems and each pair of neighbouring stems (word 2-shingles); two texts are near
duplicates when the Jaccard similarity of their features reaches a threshold, and a
group is every text joined to another by such a pair (connected components).

Pairs are found exactly, without comparing every text with every other: features are
ordered rarest first, and two texts at least ``threshold`` alike must share one of the
first few features of each (prefix filtering), so only texts sharing a rare feature are
compared, and of those only the ones whose features left after the first shared one could
still reach the threshold (positional filtering); equal feature sets are compared once.
The index lists each feature's sets smallest first, so a scan stops at the first set our
features left fall short of, and drops the sets whose own features left fall short for
good. 5,000 synthetic complaints group in about 0.25 s on a quiet 2-core machine, 0.35 s
before those two (``bench/bench_incident.py``; the target is 0.5 s).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from smm_tui.core.query_ast import fold
from smm_tui.core.stemming import needle_for

#: The similarity (Jaccard of features) from which two texts are near duplicates. Chosen on
#: ``tests/data/near_dupes.jsonl``: pairwise precision is 1.0 and recall 0.89 from 0.29 to
#: 0.33; at 0.27 unlike complaints join ("приложение не работает" and "не работает
#: банкомат"), at 0.34 recall falls to 0.68.
DEFAULT_THRESHOLD: Final = 0.3
#: Neighbouring words per shingle. On the labelled set, 2 keeps recall 0.89 at precision 1.0;
#: 3 reaches 0.66 at that precision, single words 0.87 at 0.999.
SHINGLE_WORDS: Final = 2
#: Only the start of a text is read: complaints are short, and a pasted essay must not be slow.
MAX_CHARS: Final = 2_000

_LINK: Final = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:ly|com|ru|co|io|me|net|org)/\S*")
_HANDLE: Final = re.compile(r"@\w+")
#: A word is letters only: numbers, ids, card masks, emoji and punctuation fall between words.
_WORD: Final = re.compile(r"[^\W\d_]+")
#: Words that say nothing of what went wrong (function words, "why", "again", "please"), as
#: folded stems. "не", "not" and "no" are not among them: they are what "works" becomes.
_FILLER: Final = frozenset(
    map(
        needle_for,
        """
        а и в во на с со к ко у о об от до по за из для что как так же ли бы это этот эта
        я мне меня мой моя мое мои мы нас нам вы вас вам ваш ваше ваша ты тебя он она они
        его ее их уже еще вот все всё там тут где когда почему зачем опять снова вообще
        ребята здравствуйте добрый день пожалуйста срочно что делать
        a an the i me my we our you your he she it its they them is are was were be been am
        to of in on at for from by with and or but so this that what why when where how
        again please do does did have has had got get just still any anyone else
        """.replace("ё", "е").split(),
    )
)
#: Folded word → its stem. Complaints repeat words; the stemmer is pure Python.
_STEMS: dict[str, str] = {}
_STEMS_LIMIT: Final = 100_000


def fold_words(text: str) -> list[str]:
    """The words of ``text`` that say what it is about, each as its stem, in order.

    Case, ``ё``, word forms, links, ``@handles``, numbers, emoji and punctuation do not count.
    """
    folded = fold(text[:MAX_CHARS])
    # Most complaints have neither: a link needs "/" or "www.", a handle "@".
    if "/" in folded or "www." in folded:
        folded = _LINK.sub(" ", folded)
    if "@" in folded:
        folded = _HANDLE.sub(" ", folded)
    words = _WORD.findall(folded)
    try:
        stems = [_STEMS[word] for word in words]
    except KeyError:  # a word not seen yet
        stems = [_stem(word) for word in words]
    return [stem for stem in stems if stem not in _FILLER]


def features(text: str) -> frozenset[str]:
    """What two texts are compared by: their stems and each run of neighbouring stems."""
    words = fold_words(text)
    # Each run starts one word later, and the shortest ends the zip: whole runs only.
    shifted = (words[start:] for start in range(SHINGLE_WORDS))
    runs = map(" ".join, zip(*shifted, strict=False))
    return frozenset((*words, *runs))


def group(texts: Mapping[str, str], *, threshold: float = DEFAULT_THRESHOLD) -> list[list[str]]:
    """The groups of near-duplicate texts among ``texts`` (id → text), of two ids or more.

    A text alike to none is in no group (singletons are left out). Groups come in the
    order of their first id in ``texts``, and each group's ids in that order too.
    """
    ids = list(texts)
    parent = components([features(texts[key]) for key in ids], threshold)
    members: dict[int, list[str]] = defaultdict(list)
    for index, key in enumerate(ids):
        members[_root(parent, index)].append(key)
    return [found for found in members.values() if len(found) > 1]


def similar_to(
    seed_ids: Iterable[str], texts: Mapping[str, str], *, threshold: float = DEFAULT_THRESHOLD
) -> list[str]:
    """The ids of ``texts`` that belong with the seeds' groups, the seeds left out.

    What gathering an incident from a query result needs: the seeds (ids of ``texts``;
    others are ignored) and the candidates grouped with any of them by :func:`group`,
    in the order of ``texts``.
    """
    seeds = set(seed_ids)
    return [
        key
        for found in group(texts, threshold=threshold)
        if not seeds.isdisjoint(found)
        for key in found
        if key not in seeds
    ]


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """How alike two feature sets are: shared features over all features (0 when both empty)."""
    shared = len(first & second)
    union = len(first) + len(second) - shared
    return shared / union if union else 0.0


def components(sets: Sequence[frozenset[str]], threshold: float) -> list[int]:
    """Union-find parents joining every two of ``sets`` whose :func:`jaccard` reaches ``threshold``.

    Read a set's group with :func:`_root`. ``threshold`` must be above 0: sets sharing
    no feature are never compared.
    """
    parent = list(range(len(sets)))
    # Complaints repeat themselves word for word: equal sets join at once and are
    # compared as one (an empty set is alike to none, not even another empty one).
    first_of: dict[frozenset[str], int] = {}
    for position, found in enumerate(sets):
        first = first_of.setdefault(found, position)
        if first != position and found:
            parent[position] = first
    ranked = _ranked(first_of)
    # Smallest first (the AllPairs join): each set meets only sets no larger than itself.
    for position in sorted(first_of.values(), key=lambda p: len(sets[p])):
        _join_alike(position, ranked, parent, threshold)
    return parent


@dataclass(slots=True)
class _Ranked:
    """The distinct sets as feature numbers, rarest first, and the prefix index built so far."""

    sets: dict[int, frozenset[int]]
    ordered: dict[int, list[int]]
    #: Feature number → (set, how many of its features from this one on, its size) for
    #: the sets seen.
    index: defaultdict[int, list[tuple[int, int, int]]]


def _ranked(first_of: Mapping[frozenset[str], int]) -> _Ranked:
    frequency = Counter(feature for found in first_of for feature in found)
    # Rarest first, ties by name, so every set orders the features it shares alike.
    order = sorted(frequency, key=lambda f: (frequency[f], f))
    rank = {feature: number for number, feature in enumerate(order)}
    ordered = {
        position: sorted(map(rank.__getitem__, found)) for found, position in first_of.items()
    }
    sets = {position: frozenset(numbers) for position, numbers in ordered.items()}
    return _Ranked(sets, ordered, defaultdict(list))


def _join_alike(position: int, ranked: _Ranked, parent: list[int], threshold: float) -> None:
    """Join ``position`` to each set indexed so far that is alike to it, then index it."""
    ordered, mine, index = ranked.ordered[position], ranked.sets[position], ranked.index
    size = len(ordered)
    # A set this alike to a smaller one shares a feature among the first
    # size - ceil(t·size) + 1 of its own and the first n - ceil(2t/(1+t)·n) + 1 of the
    # smaller one's n.
    probed = size - math.ceil(threshold * size) + 1
    indexed = size - math.ceil(2 * threshold / (1 + threshold) * size) + 1
    met: set[int] = set()
    for at, feature in enumerate(ordered[:probed]):
        entries = index.get(feature)
        if entries is None:
            continue
        left = size - at
        short = 0
        for other, their_left, their_size in entries:
            # At the first feature two sets share, at most the fewer features left after it
            # in either are shared (PPJoin's positional filter; it implies the size filter).
            # At any later one fewer are left, so a pair it rules out at the first it rules
            # out at every other: only the pairs it lets through need remembering.
            most = left if left < their_left else their_left
            if most < threshold * (size + their_size - most):
                # Entries come smallest set first: if our features left fall short of this
                # set, they fall short of every set after it.
                if most == left or left < threshold * (size + their_size - left):
                    break
                # Its features left fall short, and will of every set to come (none smaller).
                short += 1
                continue
            if other in met:
                continue
            met.add(other)
            # One pair joins two groups; the rest of that group need no check.
            root = parent[other]
            if parent[root] != root:
                root = _root(parent, root)
            if root == position:
                continue
            # jaccard() inlined: this is the hot loop.
            shared = len(mine & ranked.sets[other])
            if shared >= threshold * (size + their_size - shared):
                parent[root] = position
        if short * 2 > len(entries):
            entries[:] = [
                entry for entry in entries if entry[1] >= threshold * (size + entry[2] - entry[1])
            ]
    for at, feature in enumerate(ordered[:indexed]):
        index[feature].append((position, size - at, size))


def clear_stem_cache() -> None:
    """Forget the stems of words seen so far (the cache refills as texts are grouped)."""
    _STEMS.clear()


def _stem(word: str) -> str:
    stem = _STEMS.get(word)
    if stem is None:
        if len(_STEMS) >= _STEMS_LIMIT:
            _STEMS.clear()
        stem = _STEMS[word] = needle_for(word)
    return stem


def _root(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def _join(parent: list[int], first: int, second: int) -> None:
    parent[_root(parent, first)] = _root(parent, second)
