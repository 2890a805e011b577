"""The lexicon loader: the data files' format, its errors, and that the files ship."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from smm_tui.core.lexicon import (
    KINDS,
    LANGUAGES,
    Kind,
    LexiconError,
    load_language,
    parse_lexicon,
)

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CODES = ("ru", "en", "ar")

SAMPLE = """\
# a header comment
[exact]
bad       2.0   плохо  ужас   # inline comment
good      0.75  ok
[stems]
# a comment inside a section
issue     1.5   сбо

[phrases]
sarcasm   3.0   thanks for nothing | thank you for nothing
[negators]
не нет
never  # comment after a word
[prefixes]
وال ال و
"""


def test_a_file_is_read_into_rows_and_word_lists() -> None:
    language = parse_lexicon(SAMPLE, "sample.txt")
    assert language.exact == ((Kind.BAD, 2.0, "плохо ужас"), (Kind.GOOD, 0.75, "ok"))
    assert language.stems == ((Kind.ISSUE, 1.5, "сбо"),)
    assert language.phrases == ((Kind.SARCASM, 3.0, "thanks for nothing | thank you for nothing"),)
    assert language.words("negators") == {"не", "нет", "never"}
    assert language.ordered("prefixes") == ("وال", "ال", "و")
    assert language.words("cant") == frozenset()


def test_an_unknown_section_name_in_code_is_an_error() -> None:
    with pytest.raises(KeyError, match="negator"):
        parse_lexicon(SAMPLE, "sample.txt").words("negator")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[exact]\nbad 1.0 ok\nawful 1.0 bad\n", 3, "unknown kind 'awful'"),
        ("[stems]\n\nbad one плох\n", 3, "weight 'one' is not a number"),
        ("[exact]\nbad nan ok\n", 2, "finite magnitude"),
        ("[exact]\nbad inf ok\n", 2, "finite magnitude"),
        ("[exact]\nbad -1.0 ok\n", 2, "finite magnitude"),
        ("[exact]\n# words below\nbad 1.0\n", 3, "at least one word"),
        ("[exact]\nbad 1.0  # the words were lost\n", 2, "at least one word"),
        ("[phrases]\nissue 1.0 on hold | | why\n", 2, "empty phrase"),
        ("[phrases]\nissue 1.0 on hold |\n", 2, "empty phrase"),
        ("[exact]\n[exacts]\n", 2, "unknown section '[exacts]'"),
        ("[negators\n", 1, "unknown section"),
        ("[exact]\n[stems]\n[exact]\n", 3, "appears twice"),
        ("# header\nbad 1.0 ok\n", 2, "before any [section]"),
    ],
)
def test_a_bad_row_is_rejected_with_its_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(LexiconError, match=r"^bad\.txt:(\d+): ") as caught:
        parse_lexicon(text, "bad.txt")
    assert str(caught.value).startswith(f"bad.txt:{line}: ")
    assert message in str(caught.value)


def test_every_kind_is_a_known_kind() -> None:
    assert {"bad", "good", "weak_spam", "ignore"} <= KINDS
    for language in LANGUAGES.values():
        for kind, weight, text in (*language.exact, *language.stems, *language.phrases):
            assert kind in KINDS and weight >= 0 and text.split()


def test_a_missing_language_file_is_named() -> None:
    with pytest.raises(LexiconError, match=r"^lexicons/xx\.txt: cannot be read"):
        load_language("xx")


@pytest.mark.parametrize("code", CODES)
def test_the_data_files_are_package_resources(code: str) -> None:
    resource = resources.files("smm_tui.core").joinpath("lexicons", f"{code}.txt")
    assert resource.is_file()
    text = resource.read_text(encoding="utf-8")
    assert parse_lexicon(text, resource.name) == LANGUAGES[code]
    assert LANGUAGES[code].exact and LANGUAGES[code].stems and LANGUAGES[code].phrases


def test_the_package_data_patterns_put_the_files_in_a_wheel() -> None:
    patterns = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["smm_tui"]
    shipped = resources.files("smm_tui.core").joinpath("lexicons")
    names = sorted(entry.name for entry in shipped.iterdir() if entry.name.endswith(".txt"))
    assert names == sorted(f"{code}.txt" for code in CODES)
    for name in names:
        assert any(fnmatch.fnmatch(f"core/lexicons/{name}", pattern) for pattern in patterns)
