"""Identity: what told a passage apart when it was tagged, and how re-anchoring uses it.

Each case on a seed article: a moved paragraph and a deleted one with a copy elsewhere
look the same from the quote and its context alone; the identity tells them apart.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace

from annotations.anchoring import (
    COPY_LOST,
    FAR,
    REVIEW,
    TAGLINE,
    TWIN,
    _twin_side,
    locate,
    reanchor,
    reanchor_article,
)
from annotations.corpus import Corpus, load_corpus
from annotations.formats import ImportContext
from annotations.formats.jsonl import read as read_jsonl
from annotations.identity import Identity, identify
from annotations.model import Annotation, context_of
from tests.helpers.factories import ann, make_article

SEEDS = {a.id[:3]: a for a in load_corpus()}
PREMIER = SEEDS["002"]  # Li Qiang: paragraphs of 200-500 characters
XI = SEEDS["003"]


def tag(article, start: int, end: int) -> Annotation:
    return ann(article, start, end, "t", author="t")


def edited(article, text: str):
    return make_article(article.id, text)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines of 200 characters or more, without their newline."""
    out, at = [], 0
    for line in text.split("\n"):
        if len(line) >= 200:
            out.append((at, at + len(line)))
        at += len(line) + 1
    return out


def word_in(text: str, lo: int, hi: int, word: str) -> tuple[int, int]:
    at = text.index(f" {word} ", lo + 40, hi - 40) + 1
    return at, at + len(word)


# -- what is kept ---------------------------------------------------------------------


def test_identity_counts_the_context_that_made_the_quote_one_of_a_kind():
    text = "the cat sat on the mat. the cat sat on the mat. a dog."
    # The first "the": nothing before it tells it apart (the text's start is not
    # context), 22 characters after it do; the second "the" of the second sentence:
    # ". " before it is enough.
    assert identify(text, 0, 3, *context_of(text, 0, 3)) == Identity(-1, 22)
    assert identify(text, 24, 27, *context_of(text, 24, 27)).prefix == 2
    assert identify(text, 50, 53, *context_of(text, 50, 53)) == Identity(0, 0)  # "dog"


def test_twins_keep_a_reach_on_each_side_beyond_their_context():
    a, b = paragraphs(PREMIER.text)[3]
    para = PREMIER.text[a:b]
    text = PREMIER.text[:a] + para + "\nBetween the copies.\n" + para + PREMIER.text[b:]
    s, e = word_in(text, a, b, "the")
    ident = identify(text, s, e, *context_of(text, s, e))
    assert (ident.prefix, ident.suffix, ident.copies) == (-1, -1, 2)
    # Beyond the paragraph on both sides: inside it the copies are the same.
    assert ident.reach[0] > s - a and ident.reach[1] > b - e
    assert all(len(d) == 16 for d in ident.digest)
    assert Identity.from_json(json.loads(json.dumps(ident.to_json()))) == ident


def test_an_import_works_the_identity_out_from_the_text_not_from_the_file():
    start = XI.text.index("Mishustin")
    line = {
        "article_id": XI.id,
        "start": start,
        "end": start + 9,
        "exact": "Mishustin",
        "themes": ["energy"],
        "identity": [0, 0],  # a lie: "Mishustin" occurs more than once
    }
    ctx = ImportContext(corpus=Corpus([XI]), author="t", name="in.jsonl")
    (got,) = read_jsonl(io.StringIO(json.dumps(line) + "\n"), ctx)
    assert got.identity == identify(XI.text, start, start + 9, got.prefix, got.suffix)
    assert got.identity != Identity(0, 0)


# -- how re-anchoring uses it ------------------------------------------------------------


def test_a_paragraph_moved_far_keeps_its_annotations_silently():
    """A word inside a paragraph moved to the end: its window (the word and the context
    that told it apart) occurred once, and is found again intact, so the placement is
    certain however far it went. Without the identity it stays doubtful (`FAR`)."""
    a, b = paragraphs(PREMIER.text)[3]
    s, e = word_in(PREMIER.text, a, b, "the")
    ann = tag(PREMIER, s, e)
    moved = PREMIER.text[:a] + PREMIER.text[b + 1 :] + PREMIER.text[a : b + 1]
    after = edited(PREMIER, moved)
    truth = len(moved) - (b + 1 - s)
    assert truth - s > 300 and PREMIER.text.count(" the ") > 5
    placed = reanchor(ann, after)
    assert placed.status == "reanchored" and (placed.start, placed.end) == (truth, truth + 3)
    blind = reanchor_article([replace(ann, identity=None)], after)[0][2]
    assert blind is not None and blind.doubt == FAR


def twice(article, gap: str = "\nAn unrelated line between the copies.\n", which: int = 3):
    """The article with its `which`th long paragraph printed again after `gap`."""
    a, b = paragraphs(article.text)[which]
    para = article.text[a:b]
    return article.text[:b] + gap + para + article.text[b:], (a, b), b + len(gap)


def test_the_annotated_twin_removed_is_flagged_and_the_other_removed_keeps_it():
    text, (a, b), c = twice(PREMIER)
    s, e = word_in(text, a, b, "the")
    n = b - a
    ann = tag(edited(PREMIER, text), s, e)
    assert ann.identity.copies == 2
    # The annotated copy removed: the survivor has the other copy's surroundings.
    gone = edited(PREMIER, text[:a] + text[b + 1 :])
    placed = reanchor(ann, gone)
    assert placed.status in (REVIEW, "orphaned")
    # The other copy removed (and a line added at the top): the survivor is the
    # annotated one, with both its reaches.
    kept = edited(PREMIER, "A line added.\n" + text[: c - 1] + text[c + n :])
    placed = reanchor(ann, kept)
    assert placed.status == "reanchored" and placed.start == s + len("A line added.\n")


def test_twins_printed_one_after_the_other_one_removed_is_flagged():
    """Of two copies printed one after the other, one removed: the text is the same
    whichever went, so the survivor is never placed silently."""
    text, (a, b), c = twice(PREMIER, gap="\n")
    s, e = word_in(text, a, b, "the")
    for annotated in (s, s + (c - a)):
        ann = tag(edited(PREMIER, text), annotated, annotated + 3)
        one = edited(PREMIER, text[:a] + text[c:])  # the first copy and its newline gone
        found = locate(one.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                       identity=ann.identity)  # fmt: skip
        assert found is not None and found.doubt == COPY_LOST


def test_a_copy_told_apart_only_by_context_that_changed_is_flagged():
    """Two sentences that differ only in the word before their shared 28 characters: the
    annotated one's context is reworded on both sides, which leaves the other copy with
    the better context; it agreed with the stored prefix one character short of what
    told the two apart when tagged, so it is the twin, not the passage."""
    shared = " they will work together to expand cooperation in trade this week.\n"
    text = XI.text + f"\nBeijing and Moscow say{shared}Officials in Moscow said{shared}"
    start = text.rindex("expand cooperation")
    ann = tag(edited(XI, text), start, start + len("expand cooperation"))
    assert ann.identity.prefix == len(" they will work together to ") + 1
    ours = "Officials in Moscow said" + shared
    reworded = text[: -len(ours)] + "Officials stated both sides plan to expand cooperation soon.\n"
    found = locate(reworded, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                   identity=ann.identity)  # fmt: skip
    twin = reworded.rindex("say they will work together to ") + len(
        "say they will work together to "
    )
    assert found is not None and found.start == twin and found.doubt == TWIN
    assert reanchor(ann, edited(XI, reworded)).status == REVIEW


def test_a_passage_cut_at_one_end_is_trimmed_to_what_is_left():
    """A span from a paragraph's start into its second sentence, whose second sentence
    is replaced: the first sentence is the same passage, shortened (placed silently,
    trimmed to it). Words changed inside the span's second half instead (its suffix
    still follows) are an edit in place: the whole edited span, not trimmed."""
    a, b = paragraphs(PREMIER.text)[2]
    first_end = PREMIER.text.index(". ", a) + 1
    middle = PREMIER.text.index(" ", first_end + 60)
    ann = tag(PREMIER, a, middle)
    assert middle - first_end < first_end - a
    new = " The ministry declined to comment on the report."
    cut = PREMIER.text[:first_end] + new + PREMIER.text[b:]
    placed = reanchor(ann, edited(PREMIER, cut))
    assert placed.status == "reanchored" and (placed.start, placed.end) == (a, first_end)
    assert placed.exact == PREMIER.text[a:first_end]
    inside = PREMIER.text[:first_end] + " Officials noted" + PREMIER.text[first_end + 40 :]
    placed = reanchor(ann, edited(PREMIER, inside))
    assert placed.status == "reanchored" and (placed.start, placed.end) == (a, middle - 24)


def test_a_twins_side_is_short_by_one_or_all_of_a_side_that_told_nothing_apart():
    assert _twin_side(12, 13, 32) == "short!" and _twin_side(1, 2, 32) == "short"
    assert _twin_side(32, -1, 32) == "same" and _twin_side(31, -1, 32) == ""
    assert _twin_side(11, 13, 32) == "" and _twin_side(13, 13, 32) == ""
    assert _twin_side(0, 1, 32) == "short" and _twin_side(2, 3, 32) == "short!"


def test_one_end_cut_needs_more_than_half_left_and_the_rest_gone_from_the_text():
    a, b = paragraphs(PREMIER.text)[2]
    first_end = PREMIER.text.index(". ", a) + 1
    new = " The ministry declined to comment on the report."
    # Exactly half of the quote left: not the same passage shortened, but half of one.
    ann = tag(PREMIER, a, a + 2 * (first_end - a))
    cut = PREMIER.text[:first_end] + new + PREMIER.text[b:]
    assert reanchor(ann, edited(PREMIER, cut)).status == REVIEW
    # More than half left, but the quote's tail still in the text (printed elsewhere).
    ann = tag(PREMIER, a, PREMIER.text.index(" ", first_end + 60))
    elsewhere = cut + "\n" + PREMIER.text[ann.end - 20 : ann.end] + "\n"
    assert reanchor(ann, edited(PREMIER, elsewhere)).status == REVIEW
    assert reanchor(ann, edited(PREMIER, cut)).status == "reanchored"


def test_a_short_quote_clearly_best_by_its_context_is_certain_near_its_old_place():
    """The words around a short quote reworded on both sides and a line added above
    it: its context still agrees in part on each side and leads every other copy's by
    `clear_lead`, so it is placed silently; a copy elsewhere whose context agrees about
    as well leaves it for review."""
    text = XI.text + "\nOfficials in Moscow said the cooperation in trade would grow next year.\n"
    start = text.rindex("trade")
    ann = tag(edited(XI, text), start, start + 5)
    reworded = "A line added.\n" + text.replace(
        "Moscow said the cooperation in trade would grow next",
        "Moscow say the work in trade will grow next",
    )
    found = locate(reworded, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                   identity=ann.identity)  # fmt: skip
    assert found is not None and found.start == reworded.rindex("trade") and found.doubt == ""
    assert found.context >= TAGLINE.clear_context
    rival = reworded + "Officials in Moscow said the work in trade will grow soon.\n"
    found = locate(rival, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                   identity=ann.identity)  # fmt: skip
    assert found is not None and found.doubt


# -- the rules' edges ----------------------------------------------------------------------


def test_a_quote_one_of_a_kind_by_itself_found_once_near_is_certain_with_context_in_part():
    """`identity.prefix == 0`: the quote alone occurred once. Found once again within
    `far`, its context reworded but agreeing in part: certain. Too far, too little context
    or a second copy, and the other rules judge (here: doubtful)."""
    text = XI.text + "\nThe pipeline operator confirmed the Arkhangelsk terminal would open.\n"
    start = text.index("Arkhangelsk")
    ann = tag(edited(XI, text), start, start + len("Arkhangelsk"))
    assert ann.identity == Identity(0, 0)
    reworded = text.replace(
        "operator confirmed the Arkhangelsk terminal would", "firm said that Arkhangelsk port will"
    )

    def found(new: str):
        return locate(new, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                      identity=ann.identity)  # fmt: skip

    near = found("A new line.\n" + reworded)
    assert near is not None and near.doubt == "" and near.context >= TAGLINE.min_context
    assert near.start - ann.start <= TAGLINE.far
    far = found("A new line.\n" * 30 + reworded)  # 360 characters on
    assert far is None or far.doubt
    twice = found("Arkhangelsk\n" + reworded)
    assert twice is None or twice.doubt
    bare = found(text.replace("operator confirmed the Arkhangelsk terminal would open.",
                              "Arkhangelsk!"))  # fmt: skip
    assert bare is None or bare.doubt


def test_twins_keep_their_own_copy_when_the_text_shifts():
    """Two copies of a paragraph, nothing lost, a line added at the top: each twin's
    annotation goes to its own copy, by the reach that told it apart; without the
    identity, copies with the same context are a coin toss left for review."""
    text, (a, b), c = twice(PREMIER)
    s, _ = word_in(text, a, b, "the")
    article = edited(PREMIER, text)
    shifted = edited(PREMIER, "A line added at the top.\n" + text)
    for at in (s, s + (c - a)):
        ann = tag(article, at, at + 3)
        placed = reanchor(ann, shifted)
        assert placed.status == "reanchored" and placed.start == at + len(
            "A line added at the top.\n"
        )
        blind = reanchor(replace(ann, identity=None), shifted)
        assert blind.status == REVIEW or blind.start == placed.start


def test_a_lost_twin_without_a_reach_is_flagged_even_at_its_old_offsets():
    """Copies that agree for more than `REACH` characters on both sides keep no reach, so
    nothing tells which one was lost: the survivor at the old offsets is doubtful too."""
    from annotations.identity import REACH

    filler = "x" * (REACH + 10)
    block = "Officials said the same thing twice, in the same words, to the same reporters.\n"
    text = filler + block + filler + block + filler
    start = text.index("same thing")
    ann = tag(edited(XI, text), start, start + 4)
    assert ann.identity.copies == 2 and ann.identity.reach == (0, 0)
    one = edited(XI, filler + block + filler + filler)
    found = locate(one.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                   identity=ann.identity)  # fmt: skip
    assert found is not None and found.start == start and found.doubt == COPY_LOST


def test_the_nearest_copies_are_scored_when_a_quote_has_hundreds():
    """A one-letter quote with 600 copies: the 200 scored are the nearest to the old
    offsets (not the text's first 200), in text order."""
    from annotations.anchoring import MAX_COPIES, _occurrences

    text = "a b " * 600
    assert _occurrences(text, "a", 2000) == sorted(
        sorted(range(0, len(text), 4), key=lambda i: abs(i - 2000))[:MAX_COPIES]
    )
    assert len(_occurrences(text, "a", 0, 600)) == 600 and len(_occurrences(text, "a")) == 200


def test_word_end_moves_back_to_the_end_of_a_word_and_drops_spaces():
    from annotations.anchoring import _word_end

    assert _word_end("growth points, he added", 9) == 6  # "growth p" -> "growth"
    assert _word_end("growth points, he added", 14) == 14  # after the comma
    assert _word_end("growth points", 7) == 6  # "growth " -> "growth"
    assert _word_end("growth", 6) == 6 and _word_end("growth", 0) == 0
    assert _word_end("a b", 2) == 1 and _word_end("ab", 1) == 0
    assert _twin_side(32, 0, 32) == "" and _twin_side(0, 0, 32) == ""


def test_one_end_kept_trims_to_the_head_or_the_tail_and_refuses_otherwise():
    """`_one_end_kept` directly, on a 44-character quote near its place: its end replaced
    along with what followed (or its start along with what preceded)."""
    from annotations.anchoring import Candidate, _one_end_kept

    pre = "Officials told reporters Monday: "[-32:]
    suf = " Prices fell later in the year, "[:32]
    head, rest = "Exports of grain rose by a third", " in spring."
    exact = head + rest
    assert len(pre) == len(suf) == 32 and len(exact) == 43

    def cand(text: str, start: int, end: int, edits: int = 9) -> Candidate:
        return Candidate(start, end, 0.5, edits, 0.5, 1.0, 0.2)

    # The head kept: what followed the quote replaced too.
    text = "Intro. " + pre + head + ", the ministry said on Friday." + " Unrelated words go on."
    s = text.index(head)
    kept = _one_end_kept(text, cand(text, s, s + 43), exact, pre, suf, s, TAGLINE)
    assert kept is not None and (kept.start, kept.end) == (s, s + len(head)) and kept.doubt == ""
    # ... from the old offsets too, if the rough window is off.
    kept = _one_end_kept(text, cand(text, s + 3, s + 40), exact, pre, suf, s, TAGLINE)
    assert kept is not None and (kept.start, kept.end) == (s, s + len(head))
    # Not near its old place, too short a quote, half or less left: refused.
    far = s - TAGLINE.far // 2 - 1
    assert _one_end_kept(text, cand(text, s, s + 43), exact, pre, suf, far, TAGLINE) is None
    short = exact[:31]
    assert _one_end_kept(text, cand(text, s, s + 31), short, pre, suf, s, TAGLINE) is None
    half = "Exports rose" + " by a third in the spring, and then fell."
    texth = "Intro. " + pre + "Exports rose" + " sharply; the ministry said so. Unrelated."
    sh = texth.index("Exports")
    assert (
        _one_end_kept(texth, cand(texth, sh, sh + len(half)), half, pre, suf, sh, TAGLINE) is None
    )
    # The rest of the quote still in the text, or the suffix right after: refused.
    again = text + " It was a " + exact[-16:] + "\n"
    assert _one_end_kept(again, cand(again, s, s + 43), exact, pre, suf, s, TAGLINE) is None
    inside = "Intro. " + pre + head + " in the autumn." + suf + " More."
    si = inside.index(head)
    assert _one_end_kept(inside, cand(inside, si, si + 43), exact, pre, suf, si, TAGLINE) is None

    # The tail kept: what preceded the quote replaced too.
    tail_exact = "In spring, exports of grain rose by a third"
    text = "Intro. The minister then said that exports of grain rose by a third" + suf + " More."
    e = text.index(suf)
    tail = "exports of grain rose by a third"
    start = e - len(tail_exact)
    kept = _one_end_kept(text, cand(text, start, e), tail_exact, pre, suf, start, TAGLINE)
    assert kept is not None and (kept.start, kept.end) == (e - len(tail), e) and kept.doubt == ""
    # The prefix's end right before the kept tail: edited inside, refused.
    inside = "Intro. " + pre + "In autumn, exports of grain rose by a third" + suf + " More."
    e = inside.index(suf)
    start = e - len(tail_exact)
    assert (
        _one_end_kept(inside, cand(inside, start, e), tail_exact, pre, suf, start, TAGLINE) is None
    )
    # The quote's head still elsewhere in the text: refused.
    again = "In spring, exports fell.\n" + text
    e = again.index(suf)
    start = e - len(tail_exact)
    assert _one_end_kept(again, cand(again, start, e), tail_exact, pre, suf, start, TAGLINE) is None


def test_one_end_kept_limits_hold_exactly():
    """The limits of `_one_end_kept`, each at its edge: `far // 2` from the old place, a
    quote of `2 * MIN_WINDOW` characters. (More than half of a quote that long is more
    than `MIN_WINDOW`, so that limit follows.)"""
    from annotations.anchoring import MIN_WINDOW, Candidate, _one_end_kept

    pre = "Officials told reporters Monday: "[-32:]
    suf = " Prices fell later in the year, "[:32]

    def run(text: str, exact: str, start: int, hint: int):
        best = Candidate(start, start + len(exact), 0.5, 9, 0.5, 1.0, 0.2)
        return _one_end_kept(text, best, exact, pre, suf, hint, TAGLINE)

    text = "Intro. " + pre + "Exports of grain rose, the ministry said on Friday. Unrelated."
    s = text.index("Exports")
    assert run(text, "Exports of grain rose by a half", s, s) is None  # 31 characters
    exact = "Exports of grain rose by a third"
    assert len(exact) == 2 * MIN_WINDOW
    kept = run(text, exact, s, s)
    assert kept is not None and text[kept.start : kept.end] == "Exports of grain rose"
    far = TAGLINE.far // 2
    assert run(text, exact, s, s - far) is not None and run(text, exact, s, s + far) is not None
    assert run(text, exact, s, s - far - 1) is None and run(text, exact, s, s + far + 1) is None


def test_reached_rules_count_the_sides_kept():
    """`_all_reached` needs every side kept, and at least one; `_any_reached` one."""
    from annotations.anchoring import _all_reached, _any_reached
    from annotations.identity import _digest

    text = "A one B x one y"
    d = (_digest(text, 2, 5, 2, True), _digest(text, 2, 5, 2, False))
    both = Identity(-1, -1, 2, (2, 2), d)
    before_only = Identity(-1, -1, 2, (2, 0), (d[0], ""))
    none = Identity(-1, -1, 2)
    assert _all_reached(text, 2, 5, both) and _any_reached(text, 2, 5, both)
    assert _all_reached(text, 2, 5, before_only) and _any_reached(text, 2, 5, before_only)
    assert not _all_reached(text, 2, 5, none) and not _any_reached(text, 2, 5, none)
    assert not _all_reached(text, 2, 5, None)
    assert not _all_reached(text, 10, 13, both) and not _any_reached(text, 10, 13, both)
    half = Identity(-1, -1, 2, (2, 2), (d[0], "0" * 16))  # its after side does not match
    assert not _all_reached(text, 2, 5, half) and _any_reached(text, 2, 5, half)


def test_word_end_strips_spaces_down_to_the_start():
    from annotations.anchoring import _word_end

    assert _word_end("ab ", 0) == 0 and _word_end(" ab", 1) == 0 and _word_end("  ab", 2) == 0


def test_locate_scores_the_copies_nearest_the_old_offsets():
    text = "Intro.\n" + "a b " * 600 + "the end\n"
    at = 7 + 4 * 500
    ann = tag(edited(XI, text), at, at + 1)
    found = locate("Intro!!\n" + text[7:], "a", ann.prefix, ann.suffix, at, at + 1,
                   identity=ann.identity)  # fmt: skip
    assert found is not None and found.start == at + 1


def test_twins_keep_their_copy_by_one_reach_when_the_other_side_was_edited():
    """Nothing lost, the text shifted, and a word changed inside the reach after the
    annotated copy (beyond its 32 characters of context): the reach before still tells
    it apart, so it is certain; at its old offsets it is simply kept."""
    text, (a, b), c = twice(PREMIER, which=0)  # copies within `far` of each other
    s, e = word_in(text, a, b, "that")
    ann = tag(edited(PREMIER, text), s, e)
    assert ann.identity.reach[1] > 40 and c - a < TAGLINE.far
    later = e + 40  # inside the reach after, outside the context
    edited_text = text[:later] + "X" + text[later + 1 :]
    shifted = "A line added.\n" + edited_text
    found = locate(shifted, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                   identity=ann.identity)  # fmt: skip
    assert found is not None and found.start == s + len("A line added.\n") and found.doubt == ""
    here = locate(edited_text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                  identity=ann.identity)  # fmt: skip
    assert here is not None and here.start == s and here.doubt == ""


def test_a_twin_is_recognised_from_either_side_and_from_both():
    """The copy that stood beside the passage, one character short on the suffix side
    (the prefix told nothing apart), or short by one on both sides."""
    shared = "will work together to expand cooperation in trade and in"
    text = XI.text + f"\nThey said they {shared} energy this year.\n"
    text += f"\nThey said they {shared} finance this year.\n"
    start = text.rindex("expand cooperation")
    ann = tag(edited(XI, text), start, start + len("expand cooperation"))
    assert ann.identity.prefix == -1 and ann.identity.suffix >= 3
    reworded = text[: text.rindex("They said")] + "Officials then spoke to the press.\n"
    found = locate(reworded, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                   identity=ann.identity)  # fmt: skip
    assert found is not None and found.start == text.index("expand cooperation", len(XI.text))
    assert found.doubt == TWIN
    # Short by one on both sides: 13 before (of 14) and 1 after (of 2).
    text = XI.text + "\nIn Moscow, China and Russia will expand ties.\n"
    text += "\nIn Beijing, China and Russia will expand deals.\n"
    start = text.rindex("expand")
    ann = tag(edited(XI, text), start, start + len("expand"))
    assert ann.identity.suffix == 2 and ann.identity.prefix >= 3
    reworded = text[: text.rindex("In Beijing")] + "Officials then spoke to the press.\n"
    found = locate(reworded, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end,
                   identity=ann.identity)  # fmt: skip
    assert found is not None and found.doubt == TWIN


def test_a_one_of_a_kind_quote_at_its_old_offsets_is_kept_there():
    """A short quote at its old offsets with its context changed but still agreeing
    (the fast path): kept there, identity or not."""
    text = XI.text + "\nThe gas pipeline would reach the coast every week, officials said.\n"
    start = text.rindex("gas pipeline")
    ann = tag(edited(XI, text), start, start + 3)
    new = text.replace("gas pipeline would reach the coast", "gas-fired plant will serve a port")
    found = locate(new, "gas", ann.prefix, ann.suffix, ann.start, ann.end, identity=ann.identity)
    assert found is not None and found.start == start and found.doubt == ""


def test_the_other_twin_shifted_onto_the_old_offsets_is_not_taken_for_it():
    """Text added at the top exactly as long as the distance between two copies: the
    first copy now stands at the second's old offsets, quote and context equal. Only
    the reach tells them apart: the annotation follows its own copy."""
    text, (a, b), c = twice(PREMIER, which=0)
    s, e = word_in(text, a, b, "that")
    second = s + (c - a)
    ann = tag(edited(PREMIER, text), second, second + 4)
    added = "x" * (c - a - 1) + "\n"
    shifted = added + text
    assert shifted[second : second + 4] == "that"  # the first copy, moved here
    placed = reanchor(ann, edited(PREMIER, shifted))
    assert placed.status == "reanchored" and placed.start == second + len(added)
    blind = reanchor(replace(ann, identity=None), edited(PREMIER, shifted))
    assert blind.start == second  # without the identity: the wrong copy, silently
