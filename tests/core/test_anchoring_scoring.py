"""The occurrence-choosing score, pinned: each test fails if one term of it is changed.

Repeated quotes whose copies differ only in the text before them, only in the text
after them, or only in their distance from the old offsets; a quote at offset 0; the
score's exact value; and each reason a placement is flagged for review.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from annotations.anchoring import (
    FAR,
    HYPOTHESIS,
    REVIEW,
    TAGLINE,
    Report,
    candidates,
    find_exact,
    locate,
    reanchor,
    reanchor_article,
)
from annotations.corpus import article_from_text
from annotations.model import CONTEXT, Annotation, context_of
from tests.helpers.factories import ann as make_ann
from tests.helpers.factories import make_article

PAD = "Unrelated filler words keep the copies apart here. " * 3  # > CONTEXT characters


def where(text: str, exact: str, prefix: str, suffix: str, hint: int):
    """`locate` for a quote whose old offsets (at `hint`) no longer hold it."""
    found = locate(text, exact, prefix, suffix, hint, hint + 1)
    assert found is not None
    return found


def test_copies_differing_only_in_preceding_text_are_told_apart_by_the_prefix():
    a, b = "The ministry of energy said ", "The bureau of statistics said "
    tail = " on Monday and the figures were final."
    text = PAD + a + "output rose" + tail + "\n" + PAD + b + "output rose" + tail + "\n"
    first, second = (i for i in range(len(text)) if text.startswith("output rose", i))
    hint = (first + second) // 2  # equally far from both copies
    for stored, expected in ((a, first), (b, second)):
        prefix, suffix = stored[-CONTEXT:], tail[:CONTEXT]
        assert where(text, "output rose", prefix, suffix, hint).start == expected
        assert find_exact(text, "output rose", prefix, suffix, hint) == expected


def test_copies_differing_only_in_following_text_are_told_apart_by_the_suffix():
    head = "Officials in the capital told reporters that "
    a, b = " by four percent in the first quarter.", " despite the sanctions imposed in spring."
    text = PAD + head + "output rose" + a + "\n" + PAD + head + "output rose" + b + "\n"
    first, second = (i for i in range(len(text)) if text.startswith("output rose", i))
    hint = (first + second) // 2
    for stored, expected in ((a, first), (b, second)):
        prefix, suffix = head[-CONTEXT:], stored[:CONTEXT]
        assert where(text, "output rose", prefix, suffix, hint).start == expected
        assert find_exact(text, "output rose", prefix, suffix, hint) == expected


def test_copies_differing_only_in_distance_go_to_the_nearest():
    block = "Officials in the capital said output rose by four percent this year.\n"
    text = block + PAD * 4 + block + PAD * 4 + block
    starts = [i for i in range(len(text)) if text.startswith("output rose", i)]
    prefix, suffix = context_of(text, starts[1], starts[1] + len("output rose"))
    for target in starts:
        for hint in (target - 40, target + 40):
            found = where(text, "output rose", prefix, suffix, max(0, hint))
            assert found.start == target
            if target == starts[1]:
                assert find_exact(text, "output rose", prefix, suffix, hint) == target


def test_a_quote_at_offset_zero_is_found():
    text = "Headline of the day\nThe body mentions nothing else.\n"
    assert find_exact(text, "Headline", "", "", 10) == 0
    assert where(text, "Headline", "", " of the day\nThe body", 5).start == 0
    ann = Annotation.create(
        article_id="a", text=text, sha256="old", start=0, end=8, themes=["t"], author="t"
    )
    moved = article_from_text("a", Path("a"), text + "Added.\n")
    assert reanchor(ann, moved).start == 0


def test_the_score_is_the_weighted_mean_of_quote_context_and_position():
    text = "x" * 40 + "The premier said output rose sharply in May" + "y" * 60
    quote, start = "output rose", text.index("output rose")
    prefix, suffix = context_of(text, start, start + len(quote))
    exact = locate(text, quote, prefix, suffix, start, start + len(quote))
    assert exact.score == pytest.approx(1.0) and exact.distance == 0
    assert exact.context == pytest.approx(1.0) and (exact.prefix, exact.suffix) == (1.0, 1.0)
    # One edit in eleven characters, the same context, 3 characters from the hint.
    edited = text.replace("output rose", "outpt rose")
    found = locate(edited, quote, prefix, suffix, start + 3, start + 14)
    assert (found.start, found.end, found.distance) == (start, start + 10, 1)
    w = TAGLINE
    position = w.nearby / (w.nearby + 3)  # 1 at the old offsets, 1/2 at `nearby`
    _, suf = found.prefix, found.suffix
    expected = w.quote * (1 - 1 / 11) + w.prefix * 1.0 + w.suffix * suf + w.position * position
    assert found.score == pytest.approx(expected / w.total)
    assert suf == pytest.approx(1.0)


def test_context_is_compared_beyond_the_stored_characters():
    # An annotation that ended the article has suffix "\n": a line end elsewhere is no match.
    text = "Caption one.\nSome body text follows the caption here and goes on.\nCaption one.\n"
    found = where(
        text, "Caption one.", "text follows the caption here and goes on.\n"[-32:], "\n", 40
    )
    assert found.start == text.rindex("Caption one.")
    assert found.suffix == 1.0 and found.doubt == ""


def flagged(text: str, exact: str, prefix: str, suffix: str, hint: int) -> str:
    found = locate(text, exact, prefix, suffix, hint, hint + 1)
    assert found is not None
    return found.doubt


def test_each_reason_for_review():
    body = "Officials said the new pipeline carries natural gas to the coast every week.\n"
    start = body.index("pipeline carries natural gas")
    prefix, suffix = context_of(body, start, start + len("pipeline carries natural gas"))
    quote = "pipeline carries natural gas"
    # Certain: shifted a little, context intact.
    assert flagged("Intro.\n" + body, quote, prefix, suffix, start) == ""
    # Two copies with the same context, equally far: chosen by nothing.
    two = body + body
    assert flagged(two, quote, prefix, suffix, len(body) - 14) == (
        "another passage matches almost as well"
    )
    # Far from the old place (a deleted passage with a copy elsewhere looks the same).
    assert flagged(PAD * 6 + body, quote, prefix, suffix, start) == "far from its old place"
    # The text around it changed.
    around = "Yesterday a minister noted that pipeline carries natural gas, he did not elaborate.\n"
    assert flagged(around, quote, prefix, suffix, start) == "the text around it changed"
    # Reworded beyond 40% of the quote, context intact.
    reworded = body.replace("pipeline carries natural gas", "pipeline now takes some gas")
    assert flagged(reworded, quote, prefix, suffix, start) == "the passage was reworded"
    # Edited a little, but its context changed too.
    edited = "Reporters were told a new pipeline carries natural-gas towards ports on weekdays.\n"
    assert flagged(edited, quote, prefix, suffix, start) == (
        "the passage was edited and its context changed"
    )
    # A short quote, context partly changed.
    short, at = "gas", body.index("gas")
    p, s = context_of(body, at, at + 3)
    partly = body.replace("new pipeline carries natural", "old route takes natural")
    partly = partly.replace("gas to the coast every week", "gas into a harbour weekly")
    assert flagged(partly, short, p, s, at) == "a short quote whose context changed"


def test_a_short_quote_whose_neighbours_still_agree_on_both_sides_is_certain():
    """Words reworded around a short quote, not beside it: the characters right next to
    it on both sides still agree, so it is the same word; with the word before it
    reworded it stays doubtful (and without the rule it would be doubtful too)."""
    body = "Officials said on Monday the new gas pipeline would reach the coast every week.\n"
    at = body.index("gas")
    p, s = context_of(body, at, at + 3)
    kept = "A new line.\n" + body.replace(
        "Officials said on Monday the", "Ministers told us that a"
    ).replace("would reach the coast every", "will get to all ports by")
    found = locate(kept, "gas", p, s, at, at + 1)
    assert found is not None
    assert (found.start, found.doubt) == (kept.index("gas"), "")
    off = locate(kept, "gas", p, s, at, at + 1, replace(TAGLINE, adjacent=CONTEXT + 1))
    assert off is not None and off.doubt == "a short quote whose context changed"
    neighbour = kept.replace("new gas pipeline", "big gas pipeline")
    assert flagged(neighbour, "gas", p, s, at) == "a short quote whose context changed"


def test_flagged_placement_keeps_its_evidence_and_is_reported():
    text = "The pipeline carries natural gas to the coast.\nOther news follows here today.\n"
    ann = Annotation.create(
        article_id="a", text=text, sha256="old", start=4, end=32, themes=["t"], author="t"
    )
    after = article_from_text("a", Path("a"), text.replace("carries natural", "now takes some"))
    placed = reanchor(ann, after)
    assert placed.status == REVIEW
    assert (placed.exact, placed.prefix, placed.suffix) == (ann.exact, ann.prefix, ann.suffix)
    assert placed.article_sha256 == after.sha256 and placed.start == 4
    first = candidates(placed, after, k=3)[0]
    assert (first.start, first.end) == (placed.start, placed.end)
    assert Report(1, 1, flagged=2).message() == (
        "1 annotation re-anchored, 2 need review, 1 orphaned"
    )
    assert Report(flagged=1).message() == "1 annotation needs review"
    assert Report(flagged=1)


def test_the_benchmark_reference_is_dom_anchor_text_quote_on_diff_match_patch():
    from benchmarks.text_quote_reference import anchor, to_text_position

    text = "Intro line.\nThe pipeline carries natural gas to the coast.\n"
    quote, start = "carries natural gas", 25
    assert text[start : start + len(quote)] == quote
    prefix, suffix = context_of(text, start, start + len(quote))
    assert anchor(text, quote, prefix, suffix, start, start + len(quote)) == (25, 44)
    # Shifted and edited: found by the prefix near the old offset, then Bitap.
    shifted = "Added.\n" + text.replace("natural gas", "natural-gas")
    assert anchor(shifted, quote, prefix, suffix, start, start + len(quote)) == (32, 51)
    assert to_text_position("Nothing alike at all here.", quote, prefix, suffix, 0) is None


# -- what makes a placement certain despite a changed context (issue 17) -------------

BODY = (
    "Energy news in brief.\nOfficials said on Monday that the new pipeline carries natural gas "
    "to the coast every single week of the year.\nOther news follows.\n"
)
LONG = "the new pipeline carries natural gas"  # 36 characters, once in BODY


def stored(text: str, quote: str, nth: int = 0) -> tuple[int, str, str]:
    at = -1
    for _ in range(nth + 1):
        at = text.index(quote, at + 1)
    prefix, suffix = context_of(text, at, at + len(quote))
    return at, prefix, suffix


def on(text: str, quote: str) -> Annotation:
    """An annotation on the first `quote` in `text` (article "a"), without its identity
    (as saved before identities were kept), so that context and neighbours decide."""
    at = text.index(quote)
    return replace(
        make_ann(make_article("a", text), at, at + len(quote), "t", author="t"), identity=None
    )


def test_a_long_quote_found_once_near_its_old_place_is_certain_despite_reworded_context():
    at, prefix, suffix = stored(BODY, LONG)
    # The words before it replaced, two after it changed, and a line added above.
    text = "A short line added here.\n" + BODY.replace(
        ".\nOfficials said on Monday that", ".\nReporters heard it from two aides:"
    )
    text = text.replace("to the coast every", "towards the coast each")
    found = where(text, LONG, prefix, suffix, at)
    assert found.start == text.index(LONG) and found.exact
    assert found.prefix < TAGLINE.min_side and found.suffix >= TAGLINE.min_context
    assert found.doubt == ""
    # The same with a second copy far away: the words no longer single it out.
    twice = text + PAD * 8 + "Elsewhere: " + LONG + " again.\n"
    assert where(twice, LONG, prefix, suffix, at).doubt == "the text around it changed"
    # Farther from the old place than `far // 2`: its words alone are not enough.
    far = PAD * 2 + text
    assert TAGLINE.far // 2 < far.index(LONG) - at <= TAGLINE.far + 40
    assert where(far, LONG, prefix, suffix, at).doubt != ""


def test_a_long_quote_with_no_context_left_on_either_side_stays_in_doubt():
    at, prefix, suffix = stored(BODY, LONG)
    text = "Intro.\nWholly different lead-in words: " + LONG + ". And a new ending follows here.\n"
    found = where(text, LONG, prefix, suffix, at)
    assert found.exact and max(found.prefix, found.suffix) < TAGLINE.min_context
    assert found.doubt == "the text around it changed"


def test_a_quote_that_was_at_the_texts_start_and_no_longer_is_stays_in_doubt():
    quote = "Pipeline carries natural gas"
    text = quote + " to the coast every single week of the year, officials said.\n"
    prefix, suffix = context_of(text, 0, len(quote))
    assert prefix == ""
    # Now the quote follows other text, and the text after it was reworded too.
    moved = "Breaking: " + quote + " to ports weekly, a spokesman told reporters.\n"
    assert where(moved, quote, prefix, suffix, 0).doubt == "the text around it changed"


def test_an_exact_copy_elsewhere_is_doubtful_while_the_old_place_matches_in_part():
    sentence = "China will expand cooperation on big data, the Internet of Things and AI."
    quote = "big data, the Internet of Things"
    text = sentence + "\n" + PAD + "\n" + sentence + "\n" + PAD
    at, prefix, suffix = stored(text, quote, nth=1)
    # The second copy (the annotated one) is corrected; the first is untouched.
    edited = text[:at] + "big data and the IoT of Things" + text[at + len(quote) :]
    found = where(edited, quote, prefix, suffix, at)
    assert found.start == edited.index(quote)  # the exact copy scores best...
    assert found.context == 1.0 and abs(found.start - at) <= TAGLINE.far
    assert found.doubt == "the old place still matches in part"  # ...but is not silent
    # Nor is it silent after a smaller correction.
    fixed = text[:at] + "big data, the 2024 of Things" + text[at + len(quote) :]
    found = where(fixed, quote, prefix, suffix, at)
    assert found.start == at or found.doubt != ""


def test_a_passage_reworded_in_place_between_intact_surroundings_is_certain():
    text = "Headline\nThe premier said output rose sharply in May, the bureau reported.\nMore.\n"
    quote = "output rose sharply"
    at, prefix, suffix = stored(text, quote)
    # 9 of 19 characters edited (more than `reworded`, less than half), in place,
    # with the same surroundings on both sides.
    edited = text.replace(quote, "output fell briskly")
    found = where(edited, quote, prefix, suffix, at)
    assert TAGLINE.reworded * len(quote) < found.distance < len(quote) / 2
    assert (found.start, found.doubt) == (at, "")
    # The same edit with the text after it changed too: in doubt.
    changed = edited.replace("in May, the bureau reported.", "this spring, according to data.")
    assert where(changed, quote, prefix, suffix, at).doubt != ""
    # The same edit moved away from the old place: in doubt.
    moved = text.replace("Headline\n", "Headline\n" + PAD).replace(quote, "output fell briskly")
    assert where(moved, quote, prefix, suffix, at).doubt == "the passage was reworded"


SUMMIT = (
    "Summit report.\nTalks went well, said the envoy at the summit, adding that Mikhail "
    "was pleased with the outcome.\nEnd of report.\n"
)


def test_a_far_copy_with_better_context_does_not_outweigh_the_old_place():
    doc = SUMMIT
    quote = "Mikhail"
    at, prefix, suffix = stored(doc, quote)
    # Around the old place the context is partly reworded and the text shifted a
    # little; far away, a caption repeats the original sentence word for word.
    reworded = doc.replace("said the envoy at the", "the envoy noted at this")
    reworded = reworded.replace("pleased with the", "happy about its")
    text = "New intro line.\n" + reworded + PAD * 40 + doc
    found = where(text, quote, prefix, suffix, at)
    assert found.start == text.index(quote)
    assert min(found.prefix, found.suffix) >= TAGLINE.strong_context
    assert found.doubt == ""
    # Still so 120 characters from the old place (up to `far // 2`).
    start = found.start
    found = where(text, quote, prefix, suffix, start - 120)
    assert (found.start, found.doubt) == (start, "")
    # With the context on one side gone, the far copy wins, flagged.
    bare = doc.replace("adding that", "and so, it is said,")
    bare = bare.replace("was pleased with the outcome", "spoke at length")
    text = "New intro line.\n" + bare + PAD * 40 + doc
    assert where(text, quote, prefix, suffix, at).doubt != ""


def test_the_distance_and_length_limits_are_inclusive():
    # "More than `far` characters away" is far: exactly `far` is not.
    text = PAD * 10 + BODY
    at, prefix, suffix = stored(text, LONG)
    assert where(text, LONG, prefix, suffix, at - TAGLINE.far).doubt == ""
    assert where(text, LONG, prefix, suffix, at - TAGLINE.far - 1).doubt == (
        "far from its old place"
    )
    # A long quote found once is certain on its own words up to `far // 2` away.
    _, prefix, suffix = stored(BODY, LONG)
    reworded = BODY.replace(
        ".\nOfficials said on Monday that", ".\nReporters heard it from two aides:"
    )
    reworded = PAD * 4 + reworded.replace("to the coast every", "towards the coast each")
    at = reworded.index(LONG)
    assert where(reworded, LONG, prefix, suffix, at - TAGLINE.far // 2).doubt == ""
    assert where(reworded, LONG, prefix, suffix, at - TAGLINE.far // 2 - 1).doubt == (
        "the text around it changed"
    )
    # ... and "long" starts at `unique_length` characters.
    for quote in ("the new pipeline car", "the new pipeline ca"):
        at, prefix, suffix = stored(BODY, quote)
        text = BODY.replace(
            ".\nOfficials said on Monday that", ".\nReporters heard it from two aides:"
        )
        text = "Added.\n" + text.replace(
            "ries natural gas to the coast every", "ries oil and gas towards coastal towns each"
        )
        found = where(text, quote, prefix, suffix, at)
        certain = len(quote) >= TAGLINE.unique_length
        assert found.start == text.index(quote) and (found.doubt == "") == certain
    # A passage reworded in place between intact surroundings: up to `far // 2` away.
    text = "Headline\nThe premier said output rose sharply in May, the bureau reported.\nMore.\n"
    quote = "output rose sharply"
    _, prefix, suffix = stored(text, quote)
    edited = PAD * 4 + text.replace(quote, "output fell briskly")
    at = edited.index("output fell briskly")
    assert where(edited, quote, prefix, suffix, at - TAGLINE.far // 2).doubt == ""
    assert where(edited, quote, prefix, suffix, at - TAGLINE.far // 2 - 1).doubt == (
        "the passage was reworded"
    )
    # A quote shorter than `short_quote` characters needs context of at least
    # `strong_context` (0.5 counts) and both sides at `edited_side` (with the rule for
    # intact neighbours, which these cases would meet, off: it has its own test).
    alone = replace(TAGLINE, adjacent=CONTEXT + 1)
    changed = BODY.replace(
        "on Monday that the new pipeline carries", "on Friday that an old route carries"
    )
    for quote, context, doubt in (
        ("natural gas ", "to a port each month", ""),  # 12 characters: not short
        ("natural gas", "to a port each month", "a short quote whose context changed"),
        ("natural gas", "to a port every month", ""),  # context exactly 0.5
    ):
        at, prefix, suffix = stored(BODY, quote)
        text = "Line.\n" + changed.replace("to the coast every single", context)
        found = locate(text, quote, prefix, suffix, at, at + 1, alone)
        assert found is not None
        assert found.start == text.index(quote) and found.doubt == doubt


def test_the_quote_term_divides_by_the_longer_of_quote_and_passage():
    text = "x" * 40 + "The premier said output rose sharply in May" + "y" * 60
    quote, start = "output rose", text.index("output rose")
    prefix, suffix = context_of(text, start, start + len(quote))
    # Two letters inserted: a 13-character passage for an 11-character quote.
    edited = text.replace("output rose", "outpuut roose")
    found = locate(edited, quote, prefix, suffix, start + 3, start + 14)
    assert (found.start, found.end, found.distance) == (start, start + 13, 2)
    w = TAGLINE
    position = w.nearby / (w.nearby + 3)
    expected = (
        w.quote * (1 - 2 / 13) + w.prefix * 1.0 + w.suffix * found.suffix + w.position * position
    )
    assert found.score == pytest.approx(expected / w.total)


def test_context_at_the_texts_start_agrees_only_with_the_texts_start():
    text = "Headline words here.\nBody text follows.\n"
    prefix, suffix = context_of(text, 0, 8)
    assert prefix == ""
    found = locate(text, "Headline", prefix, suffix, 0, 8)
    assert found.prefix == 1.0 and found.score == pytest.approx(1.0)
    # A quote that had text before it, now at the very start: no prefix agrees.
    body = "Intro.\nHeadline words here.\n"
    at, prefix, suffix = stored(body, "Headline")
    found = where(body[at:], "Headline", prefix, suffix, 3)
    assert found.start == 0 and found.prefix == 0.0


def test_the_hypothesis_rules_compare_only_the_stored_context():
    text = "Gas output rose.\nMore lines of text follow here, on and on.\n"
    quote = "Gas output rose."
    # Stored by an annotation that ended its text: suffix "\n".
    hyp = locate(text, quote, "", "\n", 0, len(quote), HYPOTHESIS)
    assert hyp.suffix == 1.0  # "\n" agrees with any line end under Hypothesis's rules
    tag = locate(text, quote, "", "\n", 0, len(quote))
    assert tag is None or tag.suffix < 1.0  # not with Tagline's full window


def test_overlapping_copies_are_all_found():
    text = "Ahh, hhh."
    assert find_exact(text, "hh", "h", ".", 0) == 6  # copies at 1, 5 and 6


def test_an_edited_quote_needs_both_sides_of_its_context():
    text = "Intro line.\nOfficials said the output rose fast in May, the bureau reported today.\n"
    quote = "the output rose fast"
    at, prefix, suffix = stored(text, quote)
    # A typo fixed in the quote, the text after it partly rewritten: the mean context
    # is still above `edited_context`, but one side is below `edited_side`.
    edited = text.replace(quote, "the output rose fats").replace("in May, the", "as 2024 closed, a")
    found = where(edited, quote, prefix, suffix, at)
    assert found.context >= TAGLINE.edited_context and found.suffix < TAGLINE.edited_side
    assert found.doubt == "the passage was edited and its context changed"


def test_the_edit_bound_is_a_setting():
    text = "Intro line here.\nOfficials said the output rose fast in May, the bureau reported.\n"
    quote = "the output rose fast"
    at, prefix, suffix = stored(text, quote)
    edited = text.replace(quote, "the outcome rose fast")  # 4 edits in 20 characters
    assert where(edited, quote, prefix, suffix, at).distance == 4
    strict = replace(TAGLINE, max_error_rate=0.15)  # at most 3 edits
    assert locate(edited, quote, prefix, suffix, at, at + 1, strict) is None


def test_annotations_moved_by_the_same_shift_vouch_for_each_other_far_away():
    """A long passage removed before two annotations more than `far` characters apart:
    both moved by the same shift, so the text between them moved as a block and both
    are certain. Alone, or with a neighbour inside the same passage (which a deleted
    paragraph with a copy elsewhere would also have), each stays far and doubtful."""
    intro = "An introduction that the editors later removed entirely from the page. " * 6
    one = "The ministry said exports of grain rose sharply in the spring quarter.\n"
    gap = "Unrelated filler words keep the two annotated sentences apart here. " * 5
    two = "Port officials expect the new terminal to open before the winter.\n"
    text = "Title\n" + intro + "\n" + one + gap + "\n" + two
    edited = article_from_text("a", Path("a"), text.replace(intro + "\n", ""))
    assert len(intro) > TAGLINE.far and len(gap) > TAGLINE.far

    a, b, near = (on(text, q) for q in ("exports of grain", "new terminal", "rose sharply"))
    assert [o for _, o, _ in reanchor_article([a, b], edited)] == ["reanchored"] * 2
    placed = [p for p, _, _ in reanchor_article([a, b], edited)]
    assert [edited.text[p.start : p.end] for p in placed] == ["exports of grain", "new terminal"]
    alone = reanchor_article([a], edited)[0][2]
    assert alone is not None and alone.doubt == FAR
    together = reanchor_article([a, near], edited)
    assert [f.doubt for _, _, f in together if f is not None] == [FAR, FAR]
    # Another shift does not vouch: the second sentence moved elsewhere.
    swapped = text.replace(intro + "\n", "").replace(gap, "") + gap
    moved = article_from_text("a", Path("a"), swapped)
    placed_b = reanchor_article([a, b], moved)
    assert placed_b[0][1] == "flagged"


def test_an_unedited_quote_exactly_where_the_blocks_shift_puts_it_is_certain():
    """Its surroundings reworded on both sides, the quote alone is doubtful; another
    annotation more than `far` characters away moved by the same shift puts it exactly
    there, so it is certain. A neighbour inside the same passage does not vouch."""
    one = "Officials in the capital said that grain exports rose sharply in spring, they added.\n"
    gap = "Unrelated filler words keep the two annotated sentences apart here. " * 5
    two = "Port officials expect the new terminal to open before the winter.\n"
    text = "Title\n" + one + gap + "\n" + two
    # Reworded with as many characters: both annotations move by the same 18.
    reworded = one.replace(
        "Officials in the capital said that", "A minister told reporters Monday: "
    )
    reworded = reworded.replace(" in spring, they added.", " by 7% (a record), Li c")
    assert len(reworded) == len(one)
    edited = article_from_text("a", Path("a"), "A short new line.\n" + text.replace(one, reworded))
    assert len(gap) > TAGLINE.far

    a, b, near = (on(text, q) for q in ("grain exports rose sharply", "new terminal", "Title"))
    alone = reanchor_article([a], edited)[0][2]
    assert alone is not None and alone.doubt == "the text around it changed"
    placed, outcome, found = reanchor_article([a, b], edited)[0]
    assert (outcome, edited.text[placed.start : placed.end]) == (
        "reanchored",
        "grain exports rose sharply",
    )
    assert reanchor_article([a, near], edited)[0][1] == "flagged"


# `locate_all` and the `_doubt` / `_adjacent` rules at their limits (issue 18: each test
# below fails on a mutant of anchoring.py that survived the first mutmut pass).

INTRO = "An introduction that the editors later removed entirely from the page. " * 6
ONE = "The ministry said exports of grain rose sharply in the spring quarter.\n"
TWO = "Port officials expect the new terminal to open before the winter.\n"
FILLER = "Unrelated filler words keep the two annotated sentences apart here. " * 6


def two_apart(distance: int) -> str:
    """An introduction, then "exports of grain" and "new terminal" `distance` apart."""
    head = ONE[ONE.index("exports of grain") :]
    gap = FILLER[: distance - len(head) - TWO.index("new terminal")]
    text = "Title\n" + INTRO + "\n" + ONE + gap + TWO
    assert text.index("new terminal") - text.index("exports of grain") == distance
    return text


def test_an_edited_quote_in_a_block_moved_far_is_judged_again_where_the_block_put_it():
    """The edited quote is not exact, so only judging it again from its shifted offsets
    (not the rule for unedited quotes) makes it certain; an unmoved annotation listed
    first does not stop the others being judged, and the weights given are used."""
    text = two_apart(400)
    title = on(text, "Title")
    a, b = on(text, "exports of grain rose"), on(text, "new terminal")
    new = text.replace(INTRO + "\n", "").replace("grain rose", "grain rise")
    edited = article_from_text("a", Path("a"), new)
    alone = reanchor_article([a], edited)[0][2]
    assert alone is not None and not alone.exact and alone.doubt == FAR
    placed, outcome, found = reanchor_article([title, a, b], edited)[1]
    assert found is not None and found.doubt == ""
    assert (outcome, placed.start, placed.exact) == (
        "reanchored",
        new.index("exports of grain rise"),
        "exports of grain rise",
    )
    strict = replace(TAGLINE, edited_context=1.01)  # any edited quote is doubtful
    found = reanchor_article([title, a, b], edited, strict)[1][2]
    assert found is not None and found.start == new.index("exports of grain rise")
    assert found.doubt == "the passage was edited and its context changed"


def test_annotations_exactly_far_apart_do_not_vouch_for_each_other():
    for distance, outcome in ((TAGLINE.far, "flagged"), (TAGLINE.far + 1, "reanchored")):
        text = two_apart(distance)
        a, b = on(text, "exports of grain"), on(text, "new terminal")
        edited = article_from_text("a", Path("a"), text.replace(INTRO + "\n", ""))
        assert [o for _, o, _ in reanchor_article([a, b], edited)] == [outcome] * 2


def test_shifts_that_differ_by_the_consensus_limit_still_vouch():
    text = two_apart(400)
    a, b = on(text, "exports of grain"), on(text, "new terminal")
    for inserted, outcome in (
        (TAGLINE.consensus, "reanchored"),
        (TAGLINE.consensus + 1, "flagged"),
    ):
        new = text.replace(INTRO + "\n", "").replace("Unrelated", "x" * inserted + "Unrelated", 1)
        edited = article_from_text("a", Path("a"), new)
        results = reanchor_article([a, b], edited)
        assert [o for _, o, _ in results] == [outcome] * 2
        assert results[1][0].start == new.index("new terminal")


def reworded_block(quote: str, inserted: int, *edits: tuple[str, str]):
    """`quote`'s sentence reworded around it (18 characters added above it), the other
    annotation more than `far` away shifted by 18 + `inserted`."""
    one = "Officials in the capital said that grain exports rose sharply in spring, they added.\n"
    gap = "Unrelated filler words keep the two annotated sentences apart here. " * 5
    text = "Title\n" + one + gap + "\n" + TWO
    reworded = one.replace(
        "Officials in the capital said that", "A minister told reporters Monday: "
    )
    reworded = reworded.replace(" in spring, they added.", " by 7% (a record), Li c")
    for old, new in edits:  # of the same length
        reworded = reworded.replace(old, new)
    new = "A short new line.\n" + text.replace(one, reworded).replace(gap, "y" * inserted + gap)
    edited = article_from_text("a", Path("a"), new)
    return on(text, quote), on(text, "new terminal"), edited


def test_the_block_rule_holds_up_to_on_block_characters_and_from_short_quote_characters():
    closer = ("grain exports rose sharply", "wheat exports rose sharply")
    for quote, inserted, edits, outcome in (
        ("grain exports rose sharply", TAGLINE.on_block, (), "reanchored"),
        ("grain exports rose sharply", TAGLINE.on_block + 1, (), "flagged"),
        ("exports rose", 0, (closer,), "reanchored"),  # exactly `short_quote` characters
    ):
        a, b, edited = reworded_block(quote, inserted, *edits)
        assert len(quote) >= TAGLINE.short_quote
        alone = reanchor_article([a], edited)[0][2]
        assert alone is not None and alone.doubt not in ("", FAR)
        placed, got, found = reanchor_article([a, b], edited)[0]
        assert (got, edited.text[placed.start : placed.end]) == (outcome, quote)
        assert found is not None and (found.doubt == "") == (outcome == "reanchored")


def test_offsets_that_still_hold_are_kept_by_locate_all_as_by_locate():
    """A short quote at its old offsets, its context good enough to keep it there but
    the characters right after it changed: kept, not sent through the search (which
    would doubt a short quote whose context changed, but for its clear lead)."""
    text = "Officials said on Monday the new gas pipeline would reach the coast every week.\n"
    new = text.replace("gas pipeline would reach the coast", "gas-fired plant will serve a port")
    ann = on(text, "gas")
    assert new.index("gas") == ann.start
    direct = locate(new, "gas", ann.prefix, ann.suffix, ann.start, ann.end)
    assert direct is not None and direct.doubt == ""
    unclear = replace(TAGLINE, clear_context=1.01)  # (the clear-lead rule would place it)
    searched = locate(new, "gas", ann.prefix, ann.suffix, ann.start, ann.end + 1, unclear)
    assert searched is not None and searched.doubt == "a short quote whose context changed"
    edited = article_from_text("a", Path("a"), new)
    assert reanchor_article([ann], edited)[0][1] == "kept"
    assert reanchor(ann, edited).status == ann.status


SHORT = "Officials said on Monday the new gas pipeline would reach the coast every week.\n"


def neighbours_kept(*edits: tuple[str, str]) -> str:
    """SHORT with the words around "gas" reworded, not the ones beside it, then `edits`."""
    text = "A new line.\n" + SHORT.replace(
        "Officials said on Monday the", "Ministers told us that a"
    )
    text = text.replace("would reach the coast every", "will get to all ports by")
    for old, new in edits:
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("edit", "doubt"),
    [
        (("new gas pipeline", "new gas pipeline"), ""),
        (("gas pipeline", "gas piXeline"), ""),  # exactly `adjacent` characters after it
        (("gas pipeline", "gas pXpeline"), "a short quote whose context changed"),
        (("gas pipeline", "gas Xipeline"), "a short quote whose context changed"),
        (("gas pipeline", "gas_pipeline"), "a short quote whose context changed"),
        (("new gas", "nex gas"), "a short quote whose context changed"),
        (("new gas", "new_gas"), "a short quote whose context changed"),
    ],
)
def test_the_characters_beside_a_short_quote_are_counted_one_by_one_from_it(edit, doubt):
    at = SHORT.index("gas")
    p, s = context_of(SHORT, at, at + 3)
    text = neighbours_kept(edit)
    found = where(text, "gas", p, s, at)
    assert (found.start, found.doubt) == (text.index("gas"), doubt)


def test_a_short_quote_with_its_neighbours_is_certain_up_to_half_far_from_its_old_place():
    at = SHORT.index("gas")
    p, s = context_of(SHORT, at, at + 3)
    text = PAD * 2 + neighbours_kept()
    start = text.index("gas")
    assert start > TAGLINE.far
    for hint, doubt in (
        (start - TAGLINE.far // 2, ""),
        (start + TAGLINE.far // 2, ""),
        (start - TAGLINE.far // 2 - 1, "a short quote whose context changed"),
    ):
        found = where(text, "gas", p, s, hint)
        assert (found.start, found.doubt) == (start, doubt)


def test_a_copy_right_beside_the_best_is_its_rival():
    body = "Officials said on Monday the new natural gas pipeline would reach the coast.\n"
    quote = "natural gas pipeline"
    at, prefix, suffix = stored(body, quote)
    # "Monday" is in the first copy's prefix only: either copy can be the best.
    doubled = PAD + body.replace(quote, quote + quote).replace("Monday", "Friday")
    first, second = len(PAD) + at, len(PAD) + at + len(quote)
    for hint, best in ((first, first), (second + 20, second)):
        found = where(doubled, quote, prefix, suffix, hint)
        assert (found.start, found.doubt) == (best, "another passage matches almost as well")


def test_a_quote_edited_by_exactly_the_reworded_fraction_is_not_reworded():
    text = "Headline\nThe premier said the output rose fast in May, the bureau reported.\n"
    quote = "the output rose fast"
    assert len(quote) * TAGLINE.reworded == 8
    _, prefix, suffix = stored(text, quote)
    for new, doubt in (
        ("the oXXXXXXXXse fast", ""),
        ("the oXXXXXXXXXe fast", "the passage was reworded"),
    ):
        edited = PAD * 2 + text.replace(quote, new)
        at = edited.index(new)
        found = where(edited, quote, prefix, suffix, at - TAGLINE.far // 2 - 1)
        assert (found.start, found.end, found.doubt) == (at, at + len(quote), doubt)


def test_a_far_copy_does_not_outweigh_the_old_place_up_to_half_far_from_it():
    doc = SUMMIT
    quote = "Mikhail"
    _, prefix, suffix = stored(doc, quote)
    reworded = doc.replace("said the envoy at the", "the envoy said at the")
    reworded = reworded.replace("pleased with the", "happy about its")
    text = "New intro line.\n" + reworded + PAD * 40 + doc
    start = text.index(quote)
    for distance, doubt in (
        (TAGLINE.far // 2, ""),
        (TAGLINE.far // 2 + 1, "another passage matches almost as well"),
    ):
        found = where(text, quote, prefix, suffix, start - distance)
        assert (found.start, found.doubt) == (start, doubt)


def test_the_characters_beside_a_quote_at_the_texts_start_stop_at_the_start():
    """Two characters before the quote still agree, then the text starts: two, not more
    (the count does not wrap round to the text's end, which here ends as the stored
    prefix goes on), so the short quote stays doubtful."""
    old = "He said: gas pipeline would reach the coast every week, officials added.\n"
    at = old.index("gas")
    p, s = context_of(old, at, at + 3)
    new = ": gas pipes pipeline will get to and more, he said"
    assert new[-1] == p[-3]
    found = where(new, "gas", p, s, at)
    assert (found.start, found.doubt) == (2, "a short quote whose context changed")


def test_a_short_quote_moved_with_its_block_is_kept_where_its_shifted_offsets_hold_it():
    """Judged again from its shifted offsets, which still hold the quote with context
    good enough to keep it there: certain, as an unmoved annotation would be (the search
    alone would doubt a short quote whose following words changed)."""
    sentence = "Officials said on Monday the new gas pipeline would reach the coast every week.\n"
    text = "Title\n" + INTRO + "\n" + sentence + FILLER + TWO
    a, b = on(text, "gas"), on(text, "new terminal")
    new = text.replace(INTRO + "\n", "")
    new = new.replace("gas pipeline would reach the coast", "gas-fired plant will serve a port")
    edited = article_from_text("a", Path("a"), new)
    assert reanchor_article([a], edited)[0][2].doubt == FAR
    placed, outcome, found = reanchor_article([a, b], edited)[0]
    assert (outcome, placed.start, found.doubt) == ("reanchored", new.index("gas"), "")


def test_a_long_quote_with_a_typo_fixed_in_place_is_certain_though_a_neighbour_changed():
    """A sentence with one letter fixed, the sentence after it replaced: no exact copy is
    left, one side is intact, and 1 edit in 70 characters is a typo fixed (at most
    `typo` of the quote): certain. Two more edits are more than a typo: doubtful."""
    first = "The two sides should continue to deepen cultural and educational exchanges."
    text = "Title\n" + first + " Officials met again in the capital on Friday morning.\n"
    ann = on(text, first[:-1])
    assert len(ann.exact) * TAGLINE.typo >= 1
    fixed = text.replace("educational", "educatonal").replace(
        "Officials met again in the capital on Friday morning.", "The agreement was signed."
    )
    found = locate(fixed, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
    assert found is not None and found.doubt == "" and found.distance == 1
    worse = fixed.replace("deepen cultural", "deepen cultral").replace("continue", "contnue")
    found = locate(worse, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
    assert found is not None and found.distance == 3 and found.doubt
