"""`--add-articles`: an imported project's texts become article files (formats/new_articles.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.formats.new_articles import NewArticles, corpus_root, safe_name


@pytest.mark.parametrize(
    ("hint", "name"),
    [
        ("..hidden", "hidden.txt"),  # no leading dot
        (" spaced _", "spaced.txt"),
        ("Xylophone", "Xylophone.txt"),  # only spaces, dots and underscores are trimmed
        ("a" * 79 + ".b", "a" * 79 + ".txt"),  # cut to 80, then trimmed again
        ("X" * 79 + ".b", "X" * 79 + ".txt"),
        ("...", "article.txt"),
        ("." * 85 + "abc", "abc.txt"),  # trimmed before the cut, not only after
        ("", "article.txt"),
        ("notes.TXT", "notes.TXT"),
        ("notes.md", "notes.md"),
        ("notes.MD", "notes.MD"),
        ("notes.text", "notes.text.txt"),
    ],
)
def test_safe_name(hint, name):
    assert safe_name(hint) == name


def test_new_articles_in_a_subfolder_get_ids_relative_to_the_corpus_root(tmp_path: Path):
    root = tmp_path / "corpus"
    folder = root / "imported" / "ls"
    corpus = Corpus()
    add = NewArticles(folder, root.resolve(), corpus)
    article = add("A text.\n", "first")
    assert article.id == "imported/ls/first.txt"
    assert "imported/ls/first.txt" in corpus
    assert not folder.exists()  # nothing on disk before write()
    assert add.write() == [folder / "first.txt"]  # creates the missing parents
    assert (folder / "first.txt").read_text(encoding="utf-8") == "A text.\n"


def test_a_taken_name_gets_the_next_free_number(tmp_path: Path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("on disk\n", encoding="utf-8")
    corpus = Corpus([article_from_text("b.txt", folder / "b.txt", "in the corpus\n")])
    add = NewArticles(folder, folder.resolve(), corpus)
    assert add("one\n", "a").id == "a-2.txt"  # a file on disk
    assert add("two\n", "a").id == "a-3.txt"  # pending from this import
    assert add("three\n", "a").id == "a-4.txt"
    assert add("four\n", "b").id == "b-2.txt"  # an article id of the corpus, no file
    written = add.write()
    assert sorted(p.name for p in written) == ["a-2.txt", "a-3.txt", "a-4.txt", "b-2.txt"]
    assert (folder / "a-3.txt").read_bytes() == b"two\n"


def test_a_text_tagline_would_change_is_refused_with_the_reason(tmp_path: Path):
    add = NewArticles(tmp_path, tmp_path.resolve(), Corpus())
    with pytest.raises(ValueError) as err:
        add("line one\r\nline two\n", "crlf")
    assert str(err.value) == (
        "the record's text has CR line ends or control characters, which Tagline removes "
        "from articles: its offsets would not fit the article"
    )


def test_utf8_text_is_written_as_utf8(tmp_path: Path):
    add = NewArticles(tmp_path, tmp_path.resolve(), Corpus())
    add("Мишустин, 数字经济\n", "ru")
    (path,) = add.write()
    assert path.read_bytes() == "Мишустин, 数字经济\n".encode()


def test_corpus_root_is_the_corpus_folder_holding_the_target(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert corpus_root(a / "new" / "deep", [b, a]) == a.resolve()
    assert corpus_root(a, [a]) == a.resolve()
    assert corpus_root(tmp_path / "c", [a, b]) is None
    assert corpus_root(a, [tmp_path / "missing"]) is None
