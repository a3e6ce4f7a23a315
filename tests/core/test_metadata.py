"""Headlines and metadata of scraped articles."""

from __future__ import annotations

import pytest

from annotations.corpus import load_corpus
from annotations.text.metadata import ArticleMeta, extract_metadata

SEEDS = {
    "000_eead7ac999ac4f1f.txt": ArticleMeta(
        title="China and Russia will enhance cooperation on digital economy, including big data, "
        "the Internet…",
        source="Xinhua",
        date=None,  # the dateline "Nov. 25" has no year; the caption's 2017 is a photo's date
        city="Moscow",
    ),
    "001_5421c8af9c0b1953.txt": ArticleMeta(
        title="Spotlight: China, Russia to forge stronger ties with expanding cooperation, "
        "joint voice on global issues",
        source="Xinhua",
        date="2019-09-19",
        city="St. Petersburg",
    ),
    "002_3115d2f89e0a05f8.txt": ArticleMeta(
        title="Chinese premier says China ready to join Russia for cooperation in emerging areas",
        source="Xinhua",
        date=None,
        city="Moscow",
    ),
    "003_24f7bdae331ea796.txt": ArticleMeta(
        title="Xi says China to expand cooperation with Russia in trade, investment, supply chain, "
        "mega projects, energy, hi-tech",
        source="Xinhua",
        date="2023-03-22",
        city="Moscow",
    ),
    "004_e59db8fb69f41bb6.txt": ArticleMeta(
        title="China, Russia to cement bilateral ties through local cooperation",
    ),
}


@pytest.mark.parametrize("article_id", sorted(SEEDS))
def test_seed_metadata(article_id: str) -> None:
    article = load_corpus()[article_id]
    expected = SEEDS[article_id]
    assert (article.title, article.source, article.date, article.city) == (
        expected.title,
        expected.source,
        expected.date,
        expected.city,
    )
    assert len(article.title) <= 200


def test_all_seeds_are_covered() -> None:
    assert sorted(a.id for a in load_corpus()) == sorted(SEEDS)


def meta(text: str) -> ArticleMeta:
    return extract_metadata(text, fallback_title="fallback")


def test_breadcrumb_and_repeated_headline() -> None:
    text = (
        "Home > World > Europe\n\nLeaders agree on a new climate deal in Paris\n"
        "Share this story now please\nLeaders agree on a new climate deal in Paris\n"
        "PARIS, Dec. 12 (AP) -- Leaders agreed on Saturday to a new deal.\n"
    )
    m = meta(text)
    assert m.title == "Leaders agree on a new climate deal in Paris"
    assert (m.source, m.date, m.city) == ("AP", None, "Paris")


def test_dateline_with_year_and_reuters_style() -> None:
    m = meta(
        "Markets rally as inflation cools sharply\nNEW YORK, March 3, 2024 (Reuters) - Stocks rose."
    )
    assert (m.title, m.source, m.date, m.city) == (
        "Markets rally as inflation cools sharply",
        "Reuters",
        "2024-03-03",
        "New York",
    )
    m = meta("WASHINGTON (Reuters) - The Senate voted on Tuesday to pass the bill into law.")
    assert (m.source, m.city, m.date) == ("Reuters", "Washington", None)
    assert m.title == "The Senate voted on Tuesday to pass the bill into law."


def test_address_block_and_markdown_heading() -> None:
    text = (
        "Contact Us\n\n12 High Street, Springfield\nSpringfield IL 62701\n\n"
        "# Council approves the new riverside park plan\n\nThe council voted 7-2 on Monday.\n"
    )
    assert meta(text).title == "Council approves the new riverside park plan"


def test_lead_fallback_is_shortened_at_a_word_boundary() -> None:
    lead = "Officials " + "said the bridge would reopen soon " * 10 + "."
    text = "A view of the bridge in the city on May 2, 2020. (Photo/Jane Doe)\n" + lead
    title = meta(text).title
    assert title.endswith("…") and len(title) <= 100
    assert title.startswith("Officials said the bridge")
    assert " " not in title[-2:]  # no cut mid-word


def test_dates_only_from_explicit_metadata_lines() -> None:
    assert meta("Published: 22 March 2023\nSome headline here for sure\nBody.").date == "2023-03-22"
    assert (
        meta("Source: Xinhua | 2023-02-30\nSome headline here for sure\n").date is None
    )  # invalid
    caption = "A photo taken on Nov. 22, 2017 in Moscow shows the city. (Xinhua/Someone)"
    assert meta(caption + "\nMOSCOW, Nov. 25 (Xinhua) -- Body text here.").date is None


def test_headline_ending_with_an_acronym() -> None:
    text = "China lodges protest with the U.S.\nBEIJING, May 3 (Xinhua) -- China lodged a protest."
    assert meta(text).title == "China lodges protest with the U.S."


def test_fallbacks() -> None:
    assert meta("").title == "fallback"
    assert meta("\n\n  \n").title == "fallback"
    assert meta("Short").title == "Short"
    m = meta("[b]Not[/b] markup: <script>x</script> stays a plain string here")
    assert m.title == "[b]Not[/b] markup: <script>x</script> stays a plain string here"


# -- mutants that survived (issue 18) ------------------------------------------------------

BODY = "Russia and China signed a gas deal on Monday, officials said in a statement issued here today.\n"


def test_a_markdown_title_keeps_the_datelines_city_and_source():
    text = "# Gas deal signed\n\nMOSCOW, Nov. 25 (Xinhua) -- " + BODY
    assert extract_metadata(text, "f.txt") == ArticleMeta(
        title="Gas deal signed", source="Xinhua", date=None, city="Moscow"
    )


def test_a_markdown_title_is_read_as_plain_text():
    text = "# *Gas* deal [signed](http://x)\n\nSource: Reuters\n\n" + BODY
    meta = extract_metadata(text, "f.txt")
    assert (meta.title, meta.source) == ("Gas deal signed", "Reuters")


@pytest.mark.parametrize(
    ("line", "source"),
    [("Source: One two three four five", "One two three four five"),
     ("Source: One two three four five six", None)],  # a sentence, not a name
)  # fmt: skip
def test_a_source_line_names_at_most_five_words(line, source):
    assert extract_metadata(f"Gas deal signed\n\n{line}\n\n{BODY}", "f.txt").source == source


# -- the 1-in-5 sample's survivors (issue 18) ----------------------------------------------

BODY_PARA = "The harbour authority said on Monday that the first ships would dock next week.\n"


def test_a_street_line_without_a_contact_label_is_never_the_headline():
    text = "304 North Cardinal Street\nThe new harbour opens to ships today\n\n" + BODY_PARA
    assert meta(text).title == "The new harbour opens to ships today"


def test_a_headline_may_start_with_a_digit_and_a_hyphen_but_not_with_a_dash():
    assert meta("5-year plan approved by the council\n\n" + BODY_PARA).title == (
        "5-year plan approved by the council"
    )
    # "-Dash ..." is not headline-shaped: the lead's first sentence is the title instead
    dash = "-Dash headline here for once\nPARIS, Dec. 12 (AP) -- Leaders agreed to a deal.\n"
    assert meta(dash).title == "Leaders agreed to a deal."


def test_a_body_paragraph_ending_in_a_closing_quote_ends_the_header():
    text = 'Officials met on Monday in the capital city. They said "the road will open next year."'
    assert meta(text + "\n").title == "Officials met on Monday in the capital city."


def test_a_body_paragraph_first_leaves_no_header_so_the_lead_gives_the_title():
    text = BODY_PARA + "Second line shaped like a headline\n"
    assert meta(text).title == BODY_PARA.strip()


def test_a_shortened_lead_keeps_a_lone_first_word_and_drops_a_trailing_comma():
    assert meta("the " + "Supercalifragilistic" * 10).title == "the…"
    lead = "alpha beta, " * 20 + "end."
    assert meta(lead).title == ("alpha beta, " * 8).rstrip(" ,") + "…"


def test_a_month_day_year_date_on_a_labelled_line():
    text = "Published: March 22, 2023\nSome headline here for sure\n\n" + BODY_PARA
    assert meta(text).date == "2023-03-22"


@pytest.mark.parametrize(
    "block",
    [
        "Harbour View Business Centre Building\n",  # one line, after one blank line
        "Harbour View Business Centre Building\nNorth Quay Industrial Estate Area\n",
    ],
)
def test_a_contact_block_hides_every_line_under_its_label(block):
    text = f"Contact Us\n\n{block}\nThe new harbour opens to ships today\n\n{BODY_PARA}"
    assert meta(text).title == "The new harbour opens to ships today"


def test_contact_labels_are_looked_for_in_the_first_sixty_raw_lines_only():
    block = (
        "Contact Us\n\nHarbour View Business Centre Building\n\n"
        "The new harbour opens to ships today\n\n" + BODY_PARA
    )
    assert meta("\n" * 58 + block).title == "The new harbour opens to ships today"
    assert meta("\n" * 60 + block).title == "Harbour View Business Centre Building"


def test_a_repeated_headline_wins_over_the_line_nearest_the_dateline():
    text = (
        "Leaders agree on a new climate deal\nLeaders agree on a new climate deal\n"
        "A second headline shaped line here\nPARIS, Dec. 12 (AP) -- Leaders agreed to a deal.\n"
    )
    assert meta(text).title == "Leaders agree on a new climate deal"


def test_the_candidate_nearest_the_dateline_else_the_first_one():
    heads = "First headline shaped line here\nSecond headline shaped line here\n"
    dated = heads + "PARIS, Dec. 12 (AP) -- Leaders agreed to a deal.\n"
    assert meta(dated).title == "Second headline shaped line here"
    assert meta(heads + "\n" + BODY_PARA).title == "First headline shaped line here"


def test_the_lead_is_the_first_line_of_at_least_four_words():
    text = "Short bit\nFour words right here.\nFive words are right here.\n"
    assert meta(text).title == "Four words right here."
