"""Loading articles: encodings, newlines, control characters, binary and empty files, ids."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from annotations.corpus import Corpus, load_corpus, sha256_of

RUSSIAN = (
    "МОСКВА, 21 августа -- Премьер Госсовета КНР Ли Цян провёл переговоры в Кремле.\n"
    "Стороны обсудили сотрудничество в области торговли, энергетики и новых технологий.\n"
    "Следующая встреча глав правительств состоится в будущем году в Пекине.\n"
)


def load(*paths: Path) -> tuple[Corpus, list[str]]:
    warnings: list[str] = []
    corpus = load_corpus(list(paths), warn=warnings.append)
    return corpus, warnings


def only_text(path: Path) -> str:
    corpus, warnings = load(path)
    assert warnings == []
    assert len(corpus) == 1
    return corpus.articles[0].text


def test_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Héllo “world” — 你好\n".encode())
    assert only_text(path) == "Héllo “world” — 你好\n"


def test_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "Première ligne\nSecond line\n".encode())
    assert only_text(path) == "Première ligne\nSecond line\n"


def test_crlf_and_lone_cr(tmp_path: Path) -> None:
    path = tmp_path / "nl.txt"
    path.write_bytes(b"one\r\ntwo\rthree\n\r\nfour")
    assert only_text(path) == "one\ntwo\nthree\n\nfour"


def test_control_characters_removed(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_text(
        "\x1b[31mRed\x1b[0m text\x0c page\u2028sep\u2029para\x00? no\ttab\x85x\u202eevil\n",
        encoding="utf-8",
    )
    # NUL makes the file look binary, so write it without one for the second case.
    corpus, warnings = load(path)
    assert len(corpus) == 0 and len(warnings) == 1
    path.write_text(
        "\x1b[31mRed\x1b[0m text\x0c page\u2028sep\u2029para\ttab\x85x\u202eevil\x7f\n",
        encoding="utf-8",
    )
    text = only_text(path)
    assert text == "[31mRed[0m text pagesepparatabxevil\n".replace("tab", "\ttab")
    assert text.splitlines() == [text.rstrip("\n")]


def test_cp1251_russian(tmp_path: Path) -> None:
    path = tmp_path / "ru.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    text = only_text(path)
    assert text == RUSSIAN
    assert "Кремле" in text


def test_utf16_with_bom(tmp_path: Path) -> None:
    for name, encoding in (("le.txt", "utf-16"), ("be.txt", "utf-16-be")):
        path = tmp_path / name
        data = "Заголовок статьи\r\nText body.\r\n".encode(encoding)
        if encoding == "utf-16-be":
            data = codecs.BOM_UTF16_BE + data
        path.write_bytes(data)
        assert only_text(path) == "Заголовок статьи\nText body.\n"


def test_binary_skipped_with_one_warning(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 256)
    (tmp_path / "ok.txt").write_text("Fine text here.\n", encoding="utf-8")
    corpus, warnings = load(tmp_path)
    assert [a.id for a in corpus] == ["ok.txt"]
    assert len(warnings) == 1
    assert "image.txt" in warnings[0] and "binary" in warnings[0]


def test_empty_skipped_with_warning(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\n\t\n", encoding="utf-8")
    corpus, warnings = load(tmp_path)
    assert len(corpus) == 0
    assert len(warnings) == 2
    assert any("empty.txt" in w for w in warnings) and any("blank.md" in w for w in warnings)
    assert all("empty" in w for w in warnings)


def test_nested_ids_extensions_and_order(tmp_path: Path) -> None:
    nested = tmp_path / "sub" / "dir"
    nested.mkdir(parents=True)
    (nested / "a.txt").write_text("Nested article text.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Markdown headline of the day\n\nBody.\n", encoding="utf-8")
    (tmp_path / "UPPER.TXT").write_text("Upper-case extension.\n", encoding="utf-8")
    for ignored in ("c.json", "d.html", "e.txt.bak", "README"):
        (tmp_path / ignored).write_text("ignored\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden\n", encoding="utf-8")
    corpus, warnings = load(tmp_path)
    assert warnings == []
    assert [a.id for a in corpus] == ["UPPER.TXT", "b.md", "sub/dir/a.txt"]
    assert corpus["b.md"].title == "Markdown headline of the day"
    assert corpus["sub/dir/a.txt"].path == nested / "a.txt"
    # A file given directly is its own root: its id is its name.
    direct, _ = load(nested / "a.txt")
    assert [a.id for a in direct] == ["a.txt"]


def test_sha256_matches_normalised_text(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"Line one\r\nLine two\x1b\r\n")
    corpus, _ = load(path)
    article = corpus["s.txt"]
    assert article.text == "Line one\nLine two\n"
    assert article.sha256 == sha256_of("Line one\nLine two\n")
    assert corpus.by_text("Line one\r\nLine two\r\n") is article


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_corpus([tmp_path / "nope"])


def test_seeds_load_cleanly() -> None:
    warnings: list[str] = []
    corpus = load_corpus(warn=warnings.append)
    assert warnings == []
    assert len(corpus) == 5
    for article in corpus:
        assert article.sha256 == sha256_of(article.text)
        assert "\r" not in article.text


def test_corpus_cache_skips_unchanged_files_and_sees_edits(tmp_path):
    import os

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("First headline of the day\n\nBody one. Body two.\n")
    (folder / "b.txt").write_text("Second headline for tests\n\nOther body.\n")
    cache = tmp_path / "cache" / "corpus.json"
    cold = load_corpus([folder], cache=cache)
    # A first start hashes every file but keeps no text and extracts no metadata yet.
    assert cache.exists() and not any(a.loaded or a.has_metadata for a in cold)
    assert cold.get("a.txt").sha256 == sha256_of(
        "First headline of the day\n\nBody one. Body two.\n"
    )
    assert cold.complete_metadata() == 2  # what the app does after its first frame
    assert [a.title for a in cold] == ["First headline of the day", "Second headline for tests"]
    warm = load_corpus([folder], cache=cache)
    assert [a.title for a in warm] == [a.title for a in cold]
    assert all(a.has_metadata for a in warm)  # from the cache
    assert not any(a.loaded for a in warm)  # nothing read at start-up
    assert warm.get("a.txt").text == cold.get("a.txt").text  # read on demand
    (folder / "b.txt").write_text("Second headline, now edited\n\nNew body.\n")
    os.utime(folder / "b.txt", ns=(1, 1))
    edited = load_corpus([folder], cache=cache)
    b = edited.get("b.txt")
    assert not b.has_metadata and b.title == "Second headline, now edited"
    assert b.sha256 != cold.get("b.txt").sha256
    cache.write_text("{broken")
    assert len(load_corpus([folder], cache=cache)) == 2  # a damaged cache is only slower
