from smm_tui.core.sanitize import clean_identity, clean_text, clean_url, is_clean


def test_escape_sequences_become_visible_pictures() -> None:
    cleaned = clean_text("a\x1b[2Jb\x1b]0;pwned\x07c\x9bd")
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned
    assert cleaned.startswith("a␛[2Jb␛]0;pwned␇c")
    assert "C1 9B" in cleaned


def test_newlines_and_tabs_survive_but_cr_is_normalised() -> None:
    assert clean_text("one\r\ntwo\rthree\tfour") == "one\ntwo\nthree\tfour"


def test_bidi_override_is_marked_everywhere() -> None:
    assert clean_text("abc\u202edef") == "abc⟨RLO⟩def"
    assert clean_identity("\u202emoc.knab") == "⟨RLO⟩moc.knab"


def test_zero_width_is_visible_in_identities_only() -> None:
    family = "👨\u200d👩\u200d👧"
    assert clean_text(family) == family
    assert clean_identity("bank\u200bsupport") == "bank⟨ZWSP⟩support"
    assert clean_identity("bank\u200bsupport") != clean_identity("banksupport")


def test_markup_is_left_as_plain_text() -> None:
    text = "[@click=app.quit]x[/] [link=https://evil.example]bank[/link] [link="
    assert clean_text(text) == text


def test_lone_surrogates_are_replaced() -> None:
    assert clean_text("a\ud800b") == "a\ufffdb"


def test_identity_is_one_line() -> None:
    assert clean_identity("two\nlines") == "two lines"


def test_only_http_urls_are_kept() -> None:
    assert clean_url("https://vk.com/wall-1_2") == "https://vk.com/wall-1_2"
    assert clean_url("javascript:alert(1)") == ""
    assert clean_url("https://x.com/a b") == "https://x.com/a%20b"


def test_is_clean() -> None:
    assert is_clean("plain текст نص")
    assert not is_clean("\x1b")


def test_every_default_ignorable_character_is_visible_in_identities() -> None:
    assert clean_identity("@ba\u2062nk") == "@ba⟨U+2062⟩nk"  # INVISIBLE TIMES
    assert clean_identity("@bank\U000e0041") == "@bank⟨U+E0041⟩"  # a tag character
    assert clean_identity("@ba\ufe0fnk") == "@ba⟨U+FE0F⟩nk"  # a stray variation selector
    # ...but a selector that only styles an emoji is left alone.
    assert clean_identity("Anna ❤\ufe0f") == "Anna ❤\ufe0f"
    assert clean_identity("1\ufe0f\u20e3 club") == "1\ufe0f\u20e3 club"
    assert clean_text("@ba\u2062nk") == "@ba\u2062nk"  # bodies keep them: they are not names
