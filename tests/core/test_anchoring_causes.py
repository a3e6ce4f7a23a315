"""Issue 17's causes of silent misplacement, each reproduced on a seed article.

Each annotation must end up right, or flagged `needs_review`, or orphaned: never
silently on another passage.
"""

from __future__ import annotations

from annotations.anchoring import REVIEW, locate, reanchor
from annotations.corpus import article_from_text, load_corpus
from annotations.model import Annotation

SEEDS = {a.id[:3]: a for a in load_corpus()}
XI = SEEDS["003"]  # Xi meets Mishustin: the photo caption at the top and at the end
PREMIER = SEEDS["002"]  # "work with Russia to" three times
DEAL = SEEDS["004"]  # the "The deal also came as…" paragraph twice
TOP = "[Photo by Ding Haitao/Xinhua]"
END = "[Photo by Zhang Ling/Xinhua]"


def annotate(article, start: int, end: int) -> Annotation:
    return Annotation.create(
        article_id=article.id,
        text=article.text,
        sha256=article.sha256,
        start=start,
        end=end,
        themes=["t"],
        author="t",
    )


def edited(article, text: str):
    return article_from_text(article.id, article.path, text)


def line_span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """The start and end of the `nth` line containing `needle` (without its newline)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, end if end >= 0 else len(text)


def not_silently_elsewhere(placed: Annotation, truth: tuple[int, int] | None) -> None:
    if placed.status in ("orphaned", REVIEW):
        return
    assert truth is not None, f"a removed passage was placed silently at {placed.start}"
    assert (placed.start, placed.end) == truth


def test_final_caption_deleted_is_not_moved_onto_the_top_caption():
    # The stored suffix is "\n": it used to match every line end.
    start, end = line_span(XI.text, END)
    assert XI.text[end:] == "\n"
    ann = annotate(XI, start, end)
    after = edited(XI, XI.text[:start].rstrip() + "\n")
    placed = reanchor(ann, after)
    assert placed.status in ("orphaned", REVIEW)
    assert placed.exact == ann.exact  # `exact` is never rewritten onto another caption


def test_deleted_first_line_is_not_moved_onto_a_copy():
    # An empty prefix (the article's start) used to match any passage's prefix.
    a, _ = line_span(XI.text, "Xi says China to expand")
    article = edited(XI, XI.text[a:])  # starts with the headline; the standfirst repeats it
    b = article.text.index("\n")
    ann = annotate(article, 0, b)
    assert ann.prefix == "" and article.text.count(ann.exact) == 2
    after = edited(XI, article.text[b + 1 :].lstrip("\n"))
    assert after.text.count(ann.exact) == 1
    not_silently_elsewhere(reanchor(ann, after), None)


def test_one_character_fix_in_place_beats_an_exact_copy_far_away():
    quote = "Minister Mikhail Mishustin in Moscow, Russia"
    start = XI.text.index(quote)
    ann = annotate(XI, start, start + len(quote))
    fixed = XI.text[:start] + "Ministter" + XI.text[start + len("Minister") :]
    assert fixed.count(quote) == 1 and fixed.index(quote) > start + 4000
    placed = reanchor(ann, edited(XI, fixed))
    assert placed.status == "reanchored"
    assert (placed.start, placed.end) == (start, start + len(quote) + 1)
    assert placed.exact == "Ministter Mikhail Mishustin in Moscow, Russia"


def test_short_phrase_does_not_survive_the_deletion_of_its_sentence():
    a, b = line_span(PREMIER.text, "The steady development")
    sentence = PREMIER.text[a:b]
    at = a + sentence.index("with Russia to")
    ann = annotate(PREMIER, at, at + len("with Russia to"))
    after = edited(PREMIER, PREMIER.text[:a] + PREMIER.text[b + 1 :])
    assert after.text.count("with Russia to") == 2
    not_silently_elsewhere(reanchor(ann, after), None)


def test_deleted_standfirst_is_not_moved_onto_the_identical_headline():
    a, b = line_span(XI.text, "Xi says China to expand", nth=1)
    ann = annotate(XI, a, b)
    assert len(ann.exact) >= 20 and XI.text.count(ann.exact) == 2
    after = edited(XI, XI.text[:a] + XI.text[b + 1 :])
    assert after.text.count(ann.exact) == 1
    not_silently_elsewhere(reanchor(ann, after), None)


def test_reworded_context_and_a_repeated_paragraph_keep_the_old_place():
    quote = "The deal also"
    start = DEAL.text.index(quote)
    assert DEAL.text.count(quote) == 2
    ann = annotate(DEAL, start, start + len(quote))
    intro = "Update: this story was corrected.\n"
    text = DEAL.text.replace(
        "The deal also came as cross-border", "The deal also arrived while cross-border", 1
    )
    text = intro + text.replace("local cooperation\n", "cooperation between regions\n", 1)
    after = edited(DEAL, text)
    moved_to = start + len(intro) + len("cooperation between regions") - len("local cooperation")
    assert after.text[moved_to : moved_to + len(quote)] == quote
    not_silently_elsewhere(reanchor(ann, after), (moved_to, moved_to + len(quote)))


def test_certain_placements_are_silent():
    # The ordinary cases stay silent: a shift, and a typo fix with its context intact.
    quote = "Mishustin voiced the hope"
    start = XI.text.index(quote)
    ann = annotate(XI, start, start + len(quote))
    shifted = edited(XI, "Corrected.\n" + XI.text)
    assert reanchor(ann, shifted).status == "reanchored"
    found = locate(shifted.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
    assert found is not None and found.doubt == ""
