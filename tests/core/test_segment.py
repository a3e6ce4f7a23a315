"""Sentence and paragraph boundaries."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.corpus import load_corpus
from annotations.text.segment import (
    next_sentence_after,
    paragraph_at,
    paragraphs,
    sentence_at,
    sentences,
)


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Chinese Ambassador to Russia Li Hui receives an interview in Moscow, Russia, "
            "on Nov. 22, 2017. China and Russia will enhance cooperation.",
            [
                "Chinese Ambassador to Russia Li Hui receives an interview in Moscow, Russia, "
                "on Nov. 22, 2017.",
                "China and Russia will enhance cooperation.",
            ],
        ),
        (
            "Trade totalled 70.59 billion U.S. dollars. It grew 4.5 percent.",
            ["Trade totalled 70.59 billion U.S. dollars.", "It grew 4.5 percent."],
        ),
        ("U.S. President Joe Biden spoke.", ["U.S. President Joe Biden spoke."]),
        (
            "He moved to the U.S. The move was quiet.",
            ["He moved to the U.S.", "The move was quiet."],
        ),
        (
            "Dr. Smith met Mr. Jones on Main St. today.",
            ["Dr. Smith met Mr. Jones on Main St. today."],
        ),
        ("J. K. Rowling wrote it. It sold well.", ["J. K. Rowling wrote it.", "It sold well."]),
        ('He said "yes." Then he left.', ['He said "yes."', "Then he left."]),
        ("(It rained all day.) We stayed in.", ["(It rained all day.)", "We stayed in."]),
        ('"Why?" he asked. Nobody knew!', ['"Why?" he asked.', "Nobody knew!"]),
        ("Is it? Yes! Fine.", ["Is it?", "Yes!", "Fine."]),
        (
            "Pi is 3.14159 roughly. See No. 5 in Jan. 2020.",
            ["Pi is 3.14159 roughly.", "See No. 5 in Jan. 2020."],
        ),
        (
            "Use tools, e.g. hammers, i.e. heavy ones. Huawei Technologies Co. Ltd. grew.",
            ["Use tools, e.g. hammers, i.e. heavy ones.", "Huawei Technologies Co. Ltd. grew."],
        ),
        (
            "Apple Inc. said so. It is Apple vs. Google.",
            ["Apple Inc. said so.", "It is Apple vs. Google."],
        ),
        ("我们很高兴。你好吗？很好！", ["我们很高兴。", "你好吗？", "很好！"]),
        ("「走吧。」他说。", ["「走吧。」", "他说。"]),
        ("No terminator at all", ["No terminator at all"]),
        ("Wait... and see. Done.", ["Wait... and see.", "Done."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert split(text) == expected


def test_sentences_never_cross_paragraphs_and_are_trimmed() -> None:
    text = "  First line without stop\nSecond. Third.  \n\n\tFourth?\n"
    assert split(text) == ["First line without stop", "Second.", "Third.", "Fourth?"]
    assert [text[s:e] for s, e in paragraphs(text)] == [
        "First line without stop",
        "Second. Third.",
        "Fourth?",
    ]


def test_empty_and_blank() -> None:
    for text in ("", "   \n\n \t "):
        assert sentences(text) == []
        assert paragraphs(text) == []
        assert sentence_at(text, 0) is None
        assert paragraph_at(text, 0) is None
        assert next_sentence_after(text, 0) is None


def test_lookups() -> None:
    text = "One. Two.\n\nThree."
    one, two, three = sentences(text)
    assert sentence_at(text, 0) == one
    assert sentence_at(text, 3) == one  # the period
    assert sentence_at(text, 4) == two  # the space between: the next sentence
    assert sentence_at(text, 10) == three  # the blank line: the next paragraph's sentence
    assert sentence_at(text, len(text)) == three  # at the end: the last one
    assert sentence_at(text, -5) == one
    assert paragraph_at(text, 2) == (0, 9)
    assert paragraph_at(text, 10) == (11, 17)
    assert paragraph_at(text, 99) == (11, 17)
    assert next_sentence_after(text, one[1]) == two
    assert next_sentence_after(text, two[1]) == three
    assert next_sentence_after(text, two[0]) == two
    assert next_sentence_after(text, three[1]) is None


def test_seed_caption_is_one_sentence() -> None:
    article = load_corpus()["000_eead7ac999ac4f1f.txt"]
    first = sentence_at(article.text, 0)
    assert first is not None
    assert article.text[first[0] : first[1]] == (
        "Chinese Ambassador to Russia Li Hui receives an interview in Moscow, Russia, "
        "on Nov. 22, 2017."
    )


def test_fast_on_a_megabyte() -> None:
    seed = "\n".join(a.text for a in load_corpus())
    text = (seed * (1_000_000 // len(seed) + 1))[:1_000_000] + " tail"
    started = time.perf_counter()
    spans = sentences(text)
    elapsed = time.perf_counter() - started
    assert len(spans) > 1000
    assert elapsed < 0.5  # ~30 ms on a laptop; generous for slow CI
    started = time.perf_counter()
    for offset in range(0, len(text), 1000):
        sentence_at(text, offset)
    assert time.perf_counter() - started < 0.1  # cached spans, bisect look-ups


_ALPHABET = st.sampled_from(
    [
        *list("abcXYZ  \n\n\t.?!\"')(,3。！？」"),
        "U.S.",
        "Nov.",
        "Dr.",
        "e.g.",
        "...",
        "\xa0",
        "\x1c",
    ]
)
_TEXT = st.lists(_ALPHABET, max_size=80).map("".join)


@given(_TEXT)
def test_sentence_properties(text: str) -> None:
    paras = paragraphs(text)
    spans = sentences(text)
    previous_end = 0
    for s, e in spans:
        assert previous_end <= s < e <= len(text)  # ordered, non-empty, non-overlapping
        assert text[s:e] == text[s:e].strip()
        assert any(ps <= s and e <= pe for ps, pe in paras)  # inside one paragraph
        previous_end = e
    for s, e in paras:
        assert text[s:e] == text[s:e].strip() and "\n" not in text[s:e]
    # Sentences cover every non-whitespace character of their paragraphs, and paragraphs
    # cover every non-whitespace character of the text.
    for spans_ in (spans, paras):
        covered = set()
        for s, e in spans_:
            covered.update(range(s, e))
        assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@given(_TEXT, st.integers(min_value=-3, max_value=100))
def test_lookup_properties(text: str, offset: int) -> None:
    spans = sentences(text)
    found = sentence_at(text, offset)
    if not spans:
        assert found is None
        return
    assert found in spans
    s, e = found
    if s <= offset < e:
        return
    inside = [span for span in spans if span[0] <= offset < span[1]]
    assert not inside
    later = [span for span in spans if span[0] > offset]
    assert found == (later[0] if later else spans[-1])
    following = next_sentence_after(text, offset)
    starts = [span for span in spans if span[0] >= offset]
    assert following == (starts[0] if starts else None)
