"""`annotations.identity` against brute-force definitions, edges included."""

from __future__ import annotations

import hashlib
import random

import pytest

from annotations.identity import (
    _SCAN,
    REACH,
    Identity,
    _common,
    _digest,
    _fewest,
    _once,
    agree,
    find_all,
    held,
    identify,
    reached,
)
from annotations.model import context_of


def occurrences(text: str, needle: str) -> list[int]:
    return [i for i in range(len(text) - len(needle) + 1) if text.startswith(needle, i)]


def fewest(text: str, start: int, end: int, stored: str, before: bool) -> int:
    """The definition: the fewest stored characters whose window occurs once."""
    exact = text[start:end]
    for k in range(len(stored) + 1):
        window = stored[len(stored) - k :] + exact if before else exact + stored[:k]
        if len(occurrences(text, window)) == 1:
            return k
    return -1


def reach(text: str, start: int, end: int, others: list[int], before: bool) -> int:
    """The definition: the fewest characters beyond the quote (within `REACH` and the
    text) that no other copy of the whole window shares; 0 if there are none."""
    n = end - start
    for r in range(1, REACH + 1):
        if before:
            if start - r < 0:
                return 0
            mine = text[start - r : start]
            if all(o - r < 0 or text[o - r : o] != mine for o in others):
                return r
        else:
            if end + r > len(text):
                return 0
            mine = text[end : end + r]
            if all(o + n + r > len(text) or text[o + n : o + n + r] != mine for o in others):
                return r
    return 0


def texts(seed: int, count: int, alphabet: str = "ab ", length: int = 300):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(5, length)))


def test_find_all_counts_overlapping_copies_up_to_the_limit():
    assert find_all("aaaa", "aa", 10) == [0, 1, 2]
    assert find_all("aaaa", "aa", 2) == [0, 1]
    assert find_all("abcabc", "x", 5) == []


def test_once_means_exactly_one_copy_overlaps_included():
    assert _once("ab", "a") and _once("ba", "a")
    assert not _once("aa", "a") and not _once("aaa", "aa") and not _once("b", "a")


def test_fewest_characters_match_the_definition_on_both_paths():
    """Random texts over a tiny alphabet: quotes with a few copies (compared character by
    character) and with more than `_SCAN` (binary search over windows), at the edges."""
    checked = {True: 0, False: 0}
    for text in texts(1, 150):
        rng = random.Random(len(text))
        for _ in range(4):
            start = rng.choice([0, rng.randrange(len(text)), max(0, len(text) - 2)])
            end = min(len(text), start + rng.randint(1, 3))
            prefix, suffix = context_of(text, start, end)
            many = len(occurrences(text, text[start:end])) > _SCAN
            for before, stored in ((True, prefix), (False, suffix)):
                assert _fewest(text, start, end, stored, before) == fewest(
                    text, start, end, stored, before
                ), (text, start, end, before)
            checked[many] += 1
    assert checked[True] > 20 and checked[False] > 100


def test_exactly_scan_copies_are_compared_one_by_one_and_one_more_searched():
    for copies in (_SCAN, _SCAN + 1):
        text = "x" + "ab " * copies + "q ab z"
        start = text.rindex("ab")
        prefix, suffix = context_of(text, start, start + 2)
        assert text.count("ab") == copies + 1
        for before, stored in ((True, prefix), (False, suffix)):
            assert _fewest(text, start, start + 2, stored, before) == fewest(
                text, start, start + 2, stored, before
            )


def test_common_counts_agreeing_characters_up_to_the_limit_and_the_texts_edges():
    text = "xabcab"
    assert _common(text, 3, 6, -1, 10) == 2  # "ab" before both, then "x" != "c"
    assert _common(text, 3, 6, -1, 1) == 1
    assert _common(text, 1, 4, 1, 10) == 2  # "ab" at 1 and at 4, then "c" / the end
    assert _common(text, 1, 4, 1, 1) == 1
    assert _common("abab", 2, 4, -1, 10) == 2  # stops at the text's start
    assert _common("abab", 0, 2, 1, 10) == 2  # stops at the text's end
    for text in texts(2, 100, "ab"):
        for _ in range(5):
            a, b = random.Random(len(text)).sample(range(len(text) + 1), 2)
            back = next(
                n
                for n in range(len(text) + 1)
                if n == 7 or a - n <= 0 or b - n <= 0 or text[a - n - 1] != text[b - n - 1]
            )
            assert _common(text, a, b, -1, 7) == back
            ahead = next(
                n
                for n in range(len(text) + 1)
                if n == 7 or a + n >= len(text) or b + n >= len(text) or text[a + n] != text[b + n]
            )
            assert _common(text, a, b, 1, 7) == ahead


def test_a_digest_covers_the_quote_and_its_reach_and_needs_the_characters():
    text = "0123456789"
    expected = hashlib.blake2b(b"234", digest_size=8).hexdigest()
    assert _digest(text, 3, 5, 1, True) == expected
    assert _digest(text, 2, 4, 1, False) == expected
    assert _digest(text, 2, 4, 2, True) is not None  # from the text's first character
    assert _digest(text, 2, 4, 3, True) is None
    assert _digest(text, 6, 8, 2, False) is not None  # to its last
    assert _digest(text, 6, 8, 3, False) is None
    lone = "ab\ud800cd"  # a lone surrogate (hostile input) is hashed, not refused
    assert (
        _digest(lone, 1, 2, 1, False)
        == hashlib.blake2b("b\ud800".encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    )


def repeated(seed: int, count: int):
    """Texts with a block printed two or three times (twins), in random surroundings."""
    rng = random.Random(seed)
    for _ in range(count):
        block = "".join(rng.choice("ab ") for _ in range(rng.randint(70, 120)))
        parts = ["".join(rng.choice("ab ") for _ in range(rng.randint(0, 40)))]
        for _ in range(rng.choice((2, 2, 3))):
            parts += [block, "".join(rng.choice("ab ") for _ in range(rng.randint(0, 40)))]
        yield "".join(parts), len(parts[0]), len(block)


def test_identify_matches_the_definitions():
    seen_twins = 0
    cases = [(t, 0, len(t)) for t in texts(3, 80, "ab", 200)] + list(repeated(4, 120))
    for text, lo, n in cases:
        rng = random.Random(len(text) * 7)
        for _ in range(3):
            start = rng.randrange(lo, lo + n)
            end = min(len(text), start + rng.randint(1, 4))
            prefix, suffix = context_of(text, start, end)
            got = identify(text, start, end, prefix, suffix)
            p, s = fewest(text, start, end, prefix, True), fewest(text, start, end, suffix, False)
            assert (got.prefix, got.suffix) == (p, s)
            if p >= 0 or s >= 0:
                assert got == Identity(p, s)
                continue
            seen_twins += 1
            window = prefix + text[start:end] + suffix
            others = [o + len(prefix) for o in occurrences(text, window)]
            others.remove(start)
            assert got.copies == len(others) + 1
            want = (reach(text, start, end, others, True), reach(text, start, end, others, False))
            assert got.reach == want, (text, start, end)
            for r, d, before in zip(got.reach, got.digest, (True, False), strict=True):
                assert d == (_digest(text, start, end, r, before) if r else "")
    assert seen_twins > 20


def test_held_is_the_window_length_when_the_side_that_told_it_apart_is_intact():
    text = "the red cat and the red dog"
    prefix, suffix = "the ", " cat"
    # "red" at 4: its prefix "the " agrees 4 characters, its suffix " cat" all 4.
    assert agree(text, 4, 7, prefix, suffix) == (4, 4)
    assert held(text, 4, 7, prefix, suffix, Identity(4, -1)) == 3 + 4 + 4
    assert held(text, 4, 7, prefix, suffix, Identity(5, -1)) == 0  # needs more than agrees
    assert held(text, 4, 7, prefix, suffix, Identity(-1, 4)) == 11
    assert held(text, 4, 7, prefix, suffix, Identity(-1, 5)) == 0
    assert held(text, 4, 7, prefix, suffix, Identity(0, -1)) == 11  # the quote alone did
    assert held(text, 4, 7, prefix, suffix, Identity(-1, 0)) == 11
    assert held(text, 4, 7, prefix, suffix, Identity(-1, -1)) == 0
    # "red" at 20: " dog" after it agrees with " cat" one character.
    assert agree(text, 20, 23, prefix, suffix) == (4, 1)
    assert held(text, 20, 23, prefix, suffix, Identity(-1, 1)) == 3 + 4 + 1
    assert held(text, 20, 23, prefix, suffix, Identity(-1, 2)) == 0


def test_reached_counts_the_sides_kept_and_matched():
    text = "A one B x one y"
    start = text.index("one")
    digests = (_digest(text, start, start + 3, 2, True), _digest(text, start, start + 3, 2, False))
    twin = Identity(-1, -1, 2, (2, 2), digests)
    assert reached(text, start, start + 3, twin) == (2, 2)
    assert reached(text, 10, 13, twin) == (0, 2)
    one_side = Identity(-1, -1, 2, (2, 0), (twin.digest[0], ""))
    assert reached(text, start, start + 3, one_side) == (1, 1)
    assert reached(text, start, start + 3, Identity(-1, -1, 2)) == (0, 0)


def test_the_stored_form_is_two_numbers_or_for_twins_seven_values():
    assert Identity(3, -1).to_json() == [3, -1]
    twin = Identity(-1, -1, 2, (5, 0), ("0123456789abcdef", ""))
    assert twin.to_json() == [-1, -1, 2, 5, 0, "0123456789abcdef", ""]
    assert Identity.from_json(twin.to_json()) == twin
    assert Identity.from_json([0, -1]) == Identity(0, -1, 1, (0, 0), ("", ""))
    edge = [-1, -1, 1, REACH, REACH, "", ""]
    assert Identity.from_json(edge).reach == (REACH, REACH)
    assert Identity.from_json([-1, 5]) == Identity(-1, 5)
    assert Identity.from_json([-1, -1, 2, 0, 0, "", ""]).reach == (0, 0)


def test_a_malformed_identity_is_quoted_to_80_characters():
    bad = ["x" * 200]
    with pytest.raises(ValueError) as error:
        Identity.from_json(bad)
    assert str(error.value).endswith(f"not {str(bad)[:80]}")


@pytest.mark.parametrize(
    "bad",
    [
        {"prefix": 0, "suffix": 0},  # not the stored form
        (0, 0),
        [0],
        [0, 0, 1],
        [-2, 0],
        [0, -2],
        [0, False],
        [True, 0],
        [0.0, 0],
        [-1, -1, 0, 0, 0, "", ""],  # no copies
        [-2, -1, 2, 0, 0, "", ""],
        [-1, -2, 2, 0, 0, "", ""],
        [-1, -1, 2, REACH + 1, 0, "", ""],
        [-1, -1, 2, 0, REACH + 1, "", ""],
        [-1, -1, 2, -1, 0, "", ""],
        [-1, -1, 2, 0, -1, "", ""],
        [-1, -1, 2, 1.0, 0, "", ""],
        [-1, -1, 2, 0, 0, "abc", ""],
        [-1, -1, 2, 0, 0, "", "abc"],
        [-1, -1, 2, 0, 0, None, ""],
        [-1, -1, True, 0, 0, "", ""],
    ],
)
def test_malformed_identities_are_refused_with_the_form_expected(bad):
    with pytest.raises(ValueError) as error:
        Identity.from_json(bad)
    assert str(error.value).startswith("identity must be [prefix, suffix] or [prefix, suffix,")
    assert str(bad)[:20] in str(error.value)


def test_past_scan_copies_of_the_window_no_reach_is_kept():
    """A table of repeated rows: comparing every copy's reach would cost more than
    tagging should, so the identity keeps only that there were that many or more."""
    row = "| wheat | 12 | tonnes | shipped by rail to the port each week |\n"
    for rows in (_SCAN + 1, _SCAN + 2, _SCAN + 3):  # `_SCAN` copies of the window, then more
        text = "Head.\n" + row * rows + "Tail.\n"
        start = text.index("tonnes", len(row) + 6)  # the second row: near the head
        prefix, suffix = context_of(text, start, start + 6)
        windows = len(occurrences(text, prefix + "tonnes" + suffix))
        got = identify(text, start, start + 6, prefix, suffix)
        assert windows == rows - 1  # the first row's context holds the head
        if windows <= _SCAN:
            assert got.copies == windows and got.reach[0] > 0
        else:
            assert got == Identity(-1, -1, _SCAN + 1)


def test_common_stops_at_the_texts_start_for_either_position():
    assert _common("abab", 4, 2, -1, 10) == 2  # the second position reaches the start
    assert _common("abab", 2, 4, -1, 10) == 2
    assert _common("abab", 2, 0, 1, 10) == 2  # ... or the end, going forward


def test_the_binary_search_finds_every_fewest_count():
    """Quotes with more than `_SCAN` copies, whose answers range over 1..32."""
    answers = set()
    rng = random.Random(5)
    for _ in range(60):
        text = "".join(rng.choice("ab") for _ in range(rng.randint(300, 600)))
        for _ in range(4):
            start = rng.randrange(40, len(text) - 40)
            prefix, suffix = context_of(text, start, start + 1)
            assert len(occurrences(text, text[start])) > _SCAN
            for before, stored in ((True, prefix), (False, suffix)):
                want = fewest(text, start, start + 1, stored, before)
                assert _fewest(text, start, start + 1, stored, before) == want
                answers.add(want)
    assert {6, 7, 8, 9, 10} <= answers


def test_twins_get_no_reach_where_the_text_ends_or_the_copies_agree_past_reach():
    block = (
        "A long line printed twice, so that the same caption sits in the middle of it "
        "with forty characters or more of the very same words on either side."
    )
    # The second copy ends the text: nothing after it can tell the first apart there
    # (the first's reach after is kept; the second's does not fit).
    text = "Intro. " + block + "Middle. " + block
    first, second = text.index("caption"), text.rindex("caption")
    for start, fits in ((first, True), (second, False)):
        got = identify(text, start, start + 7, *context_of(text, start, start + 7))
        assert got.copies == 2 and (got.reach[1] > 0) is fits and (got.digest[1] != "") is fits
    # Copies that agree for more than `REACH` characters before: no reach on that side.
    long = "x" * (REACH + 10)
    text = "A" + long + block + "B" + long + block + "C"
    start = text.index("caption")
    got = identify(text, start, start + 7, *context_of(text, start, start + 7))
    assert got.copies == 2 and got.reach[0] == 0 and got.digest[0] == "" and got.reach[1] > 0
