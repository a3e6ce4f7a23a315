"""Highlight colours stay distinct after the terminal's downgrade (issue 12).

Measured with CIEDE2000 between every pair of {the nine default theme tints, the
selection, the caret, the list cursor, the reader's background}, as the terminal
draws them after Rich's downgrade to each colour system. The threshold
(`MIN_DELTA_E` = 10) is justified in `tui/colour.py`.
"""

from __future__ import annotations

import itertools

import pytest

from annotations.themes import PALETTE
from tests.helpers.snapshot_apps import make_app, pretagged_app, sync
from tui import colour
from tui.widgets.reader import Reader

BACKGROUND, FOREGROUND = "#1e1e1e", "#e0e0e0"  # textual-dark's reader


def test_ciede2000_matches_published_reference_pairs():
    # Sharma, Wu and Dalal (2005), table 1, pairs 1, 7 and 17.
    assert colour.delta_e_lab((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(
        2.0425, abs=1e-4
    )
    assert colour.delta_e_lab((50, 0, 0), (50, -1, 2)) == pytest.approx(2.3669, abs=1e-4)
    assert colour.delta_e_lab((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)


@pytest.mark.parametrize("system", ["truecolor", "256", "standard"])
def test_every_pair_is_distinct_after_the_downgrade(system):
    tints = colour.assign_tints(PALETTE, BACKGROUND, FOREGROUND, system)
    drawn = {f"theme {i + 1}": colour.drawn(bg, system) for i, (bg, _fg) in enumerate(tints)}
    for name, value in [
        ("selection", colour.SELECTION_BG),
        ("caret", colour.CARET_BG),
        ("list cursor", colour.LIST_CURSOR_BG),
        ("background", BACKGROUND),
    ]:
        drawn[name] = colour.drawn(colour.hex_rgb(value), system)
    for (a, ca), (b, cb) in itertools.combinations(drawn.items(), 2):
        d = colour.delta_e(ca, cb)
        assert d >= colour.MIN_DELTA_E, f"{system}: {a} {ca} vs {b} {cb}: ΔE {d:.1f}"


@pytest.mark.parametrize("system", ["truecolor", "256", "standard"])
def test_text_on_every_tint_is_readable(system):
    for bg, fg in colour.assign_tints(PALETTE, BACKGROUND, FOREGROUND, system):
        assert colour.contrast(colour.drawn(bg, system), colour.drawn(fg, system)) >= 4.5


def test_the_old_blend_collapsed_at_256_colours():
    """What the issue saw: 42% blends of blue and teal both drawn as xterm 23."""
    bg = colour.hex_rgb(BACKGROUND)
    blue, teal = (colour.blend(bg, colour.hex_rgb(c), 0.42) for c in (PALETTE[1], PALETTE[2]))
    assert colour.drawn(blue, "256") == colour.drawn(teal, "256")
    new = colour.assign_tints(PALETTE, BACKGROUND, FOREGROUND, "256")
    assert colour.drawn(new[1][0], "256") != colour.drawn(new[2][0], "256")


@pytest.mark.parametrize("system", ["256", "standard"])
@sync
async def test_the_reader_paints_with_the_assigned_colours(tmp_path, system):
    app = pretagged_app(tmp_path / "db.json")
    app.colour_system = system
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        reader = app.screen.query_one(Reader)
        names = [t.name for t in app.workspace.store.codebook]
        painted = {n: reader._style_for((n,)).bgcolor.triplet for n in names}
        expected = colour.assign_tints(
            (*(t.color for t in app.workspace.store.codebook), "#8A8A8A"),
            reader._base_background().hex6,
            FOREGROUND,
            system,
        )
        assert [tuple(painted[n]) for n in names] == [bg for bg, _ in expected[: len(names)]]
        assert len({colour.drawn(tuple(c), system) for c in painted.values()}) == len(names)


@sync
async def test_the_margin_names_each_passage_and_brackets_nested_ones(tmp_path):
    app = pretagged_app(tmp_path / "db.json")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        reader = app.screen.query_one(Reader)
        rows = reader._margin_rows()
        labels = [label for row in rows.values() for label, _ in row.labels]
        # pretagged: energy; digital economy with a note; Arctic route; and a nested
        # energy+Arctic route passage inside the Arctic one: four brackets, four labels.
        assert sorted(labels) == sorted(
            ["energy", "digital economy ✎", "Arctic route", "energy+Arctic route"]
        )
        nested_rows = [r for r in rows.values() if len(r.lanes) >= 2]
        assert nested_rows, "the nested passage needs its own bracket lane"
        width = reader.margin_width
        assert width > 0
        line = "".join(s.text for s in reader.render_line(0))
        assert "energy" in line[-width:]  # drawn on screen, not only computed


@sync
async def test_paragraphs_are_separated_by_a_blank_row_and_offsets_hold(tmp_path):
    app = make_app(tmp_path / "db.json")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        reader = app.screen.query_one(Reader)
        text = reader.text
        assert reader.text == app.screen.article.text  # the document is the article
        first_break = text.index("\n")
        # The paragraph's end (the newline) is drawn on a blank row of its own, below
        # the paragraph's last row of text.
        gap_row = reader.wrapped_document.location_to_offset(reader.location_of(first_break)).y
        rows = ["".join(s.text for s in reader.render_line(y)) for y in (gap_row - 1, gap_row)]
        text_part = [r[: -reader.margin_width] for r in rows]
        assert text_part[0].strip() and text_part[1].strip() == ""
        assert reader.wrapped_document.height > len(text.split("\n")) + text.count("\n") - 1
        # A caret placed anywhere still maps to the same text offset.
        reader.select_span(first_break + 1, first_break + 8)
        assert reader.selected_span == (first_break + 1, first_break + 8)
