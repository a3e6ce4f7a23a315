"""The corpus: articles loaded from files and folders, with stable ids and normalised text."""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from annotations.atomic import atomic_write_bytes, ensure_private_dir
from annotations.text.decode import BinaryFileError, decode, normalise
from annotations.text.metadata import extract_metadata
from annotations.text.sanitize import printable

EXTENSIONS = (".txt", ".md")

Warn = Callable[[str], None]


def seeds_path() -> Path:
    """The bundled seed articles: inside the installed package, or the repo's `seeds/`."""
    here = Path(__file__).resolve().parent
    packaged = here / "seeds"
    return packaged if packaged.is_dir() else here.parent / "seeds"


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Article:
    """One article. `text` is normalised once, here; every offset indexes it.

    An article restored from the corpus cache has its metadata but not its text,
    which is read from `path` the first time it is asked for: start-up on a large
    corpus then costs one `stat` per file instead of reading every file.
    """

    __slots__ = (
        "_path",
        "_text",
        "city",
        "date",
        "id",
        "meta",
        "sha256",
        "source",
        "stamp",
        "title",
    )

    def __init__(
        self,
        id: str,
        path: Path | str,
        text: str | None,
        sha256: str,
        title: str,
        source: str | None = None,
        date: str | None = None,
        city: str | None = None,
        meta: dict[str, str] | None = None,
    ) -> None:
        self.id = id
        self._path = path
        self._text = text
        self.sha256 = sha256
        self.title = title
        self.source = source
        self.date = date
        self.city = city
        self.meta = meta or {}
        self.stamp: tuple[int, int] | None = None  # (size, mtime_ns) of the file when read

    @property
    def path(self) -> Path:
        # Kept as the walk's string until asked for: 10,000 Path objects cost ~0.2 s at start-up.
        if not isinstance(self._path, Path):
            self._path = Path(self._path)
        return self._path

    @path.setter
    def path(self, value: Path | str) -> None:
        self._path = value

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                text = normalise(decode(self.path.read_bytes()))
            except (OSError, BinaryFileError):
                text = ""  # gone since start-up: shown empty, annotations kept
            self._text = text
            # Edited between start-up and now: the hash must describe this text.
            self.sha256 = sha256_of(text)
        return self._text

    @property
    def loaded(self) -> bool:
        return self._text is not None

    def metadata(self) -> dict[str, str]:
        out = {
            k: v
            for k, v in (("source", self.source), ("date", self.date), ("city", self.city))
            if v
        }
        out.update(self.meta)
        return out

    def __repr__(self) -> str:
        return f"Article(id={self.id!r}, title={self.title!r})"


def article_from_text(article_id: str, path: Path, raw: str) -> Article:
    """Build an article from already-decoded text (normalised here)."""
    text = normalise(raw)
    meta = extract_metadata(text, fallback_title=Path(article_id).stem)
    return Article(
        id=article_id,
        path=path,
        text=text,
        sha256=sha256_of(text),
        title=meta.title,
        source=meta.source,
        date=meta.date,
        city=meta.city,
    )


def read_article(path: Path | str, article_id: str) -> Article:
    """Read, decode and normalise one file. Raises `BinaryFileError` or `OSError`."""
    path = Path(path)
    data = path.read_bytes()
    return article_from_text(article_id, path, decode(data))


class Corpus:
    """Articles in a stable order (by id), addressable by id."""

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self._by_id: dict[str, Article] = {}
        for article in articles:
            self._by_id[article.id] = article
        self.articles: list[Article] = sorted(self._by_id.values(), key=lambda a: a.id)
        self._by_sha: dict[str, Article] | None = None  # built on the first by_text()

    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._by_id

    def get(self, article_id: str) -> Article | None:
        return self._by_id.get(article_id)

    def __getitem__(self, article_id: str) -> Article:
        return self._by_id[article_id]

    def by_text(self, text: str) -> Article | None:
        """The article whose normalised text equals `text` (for imports without ids)."""
        if self._by_sha is None:
            # An import calls this once per record: index once, not a scan per record.
            self._by_sha = {}
            for a in reversed(self.articles):  # the first article wins a tie
                self._by_sha[a.sha256] = a
        return self._by_sha.get(sha256_of(normalise(text)))

    def replace(self, article: Article) -> None:
        """Swap in a reloaded article (same id, so the same place in the order)."""
        old = self._by_id.get(article.id)
        self._by_id[article.id] = article
        if old is None:
            bisect.insort(self.articles, article, key=lambda a: a.id)
        else:
            self.articles[self.articles.index(old)] = article
        self._by_sha = None


def _walk(root: str, warn: Warn) -> Iterator[tuple[str, str]]:
    """(relative POSIX path, full path) of article files under `root`, sorted, no dotfiles.

    Plain strings, not `Path`s: on 10,000 files pathlib's parsing costs more than the walk.
    An explicit stack, not recursion (`os.walk` recurses: a folder nested 1,200 deep
    raised `RecursionError`); symlinked folders are not followed, like `os.walk`.
    """
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            warn(f"{printable(folder)}: skipped, {exc.strerror or exc}")
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append((entry.path, prefix + name + "/"))
                elif name.lower().endswith(EXTENSIONS):
                    yield prefix + name, entry.path
            except OSError as exc:
                warn(f"{printable(entry.path)}: skipped, {exc.strerror or exc}")
        stack.extend(reversed(subfolders))


def discover(
    paths: Iterable[Path], warn: Warn | None = None
) -> Iterator[tuple[str, Path | str, str]]:
    """(article id, file path, cache key) for every article under `paths`.

    The id is the path relative to the corpus root, POSIX style; a file given
    directly is its own root, so its id is its name. The cache key is the
    file's absolute path (the root resolved once, not every file). File names
    may hold any bytes: the id shows undecodable bytes and control characters
    escaped (`\\xff`), so it is always printable, valid Unicode.
    """
    warn = warn or (lambda message: None)
    for root in paths:
        root = Path(root)
        if root.is_dir():
            base = printable(str(root.resolve()))
            for rel, full in _walk(str(root), warn):
                article_id = printable(rel)
                yield article_id, full, f"{base}/{article_id}"
        else:
            yield printable(root.name), root, printable(str(root.resolve()))


CACHE_FORMAT = 2  # 2: Markdown titles (plain text, `# heading` wins)


def _read_cache(path: Path | None) -> dict[str, list]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") == CACHE_FORMAT and isinstance(data.get("files"), dict):
            return data["files"]
    except (OSError, ValueError, AttributeError):
        pass  # missing or damaged: it is only a cache
    return {}


def _write_cache(path: Path, files: dict[str, list]) -> None:
    try:
        ensure_private_dir(path.parent)
        payload = json.dumps({"format": CACHE_FORMAT, "files": files}, ensure_ascii=False)
        atomic_write_bytes(path, payload.encode("utf-8"), mode=0o600)
    except OSError:
        pass  # a cache that cannot be written just costs time next start


def load_corpus(
    paths: Iterable[Path] | None = None,
    warn: Warn | None = None,
    cache: Path | None = None,
) -> Corpus:
    """Load every `.txt`/`.md` under `paths` (default: the bundled seeds).

    Binary, empty and unreadable files are skipped with a one-line warning.
    Raises `FileNotFoundError` for a path that does not exist. With `cache`
    (a JSON file), metadata of files whose size and mtime are unchanged is
    reused and their text is read only when first needed.
    """
    paths = [Path(p) for p in (paths or [seeds_path()])]
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file or folder")
    warn = warn or (lambda message: None)
    cache = Path(cache) if cache is not None else None
    cached = _read_cache(cache)
    fresh: dict[str, list] = {}
    articles: list[Article] = []
    seen: set[str] = set()
    for article_id, path, key in discover(paths, warn):
        shown = printable(str(path))
        if article_id in seen:
            warn(f"{shown}: skipped, another file already has the id {article_id!r}")
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            warn(f"{shown}: skipped, {exc.strerror or exc}")
            continue
        if not stat.S_ISREG(st.st_mode):
            # A FIFO would block the read forever; a device could be endless.
            warn(f"{shown}: skipped, not a regular file")
            continue
        entry = cached.get(key)
        if (
            entry
            and entry[0] == st.st_size
            and entry[1] == st.st_mtime_ns
            and entry[2] == article_id
        ):
            _, _, _, sha, title, source, date, city = entry
            article = Article(article_id, path, None, sha, title, source, date, city)
            article.stamp = (st.st_size, st.st_mtime_ns)
        else:
            try:
                article = read_article(path, article_id)
            except BinaryFileError:
                warn(f"{shown}: skipped, binary file")
                continue
            except OSError as exc:
                warn(f"{shown}: skipped, {exc.strerror or exc}")
                continue
            if not article.text.strip():
                warn(f"{shown}: skipped, empty file")
                continue
            article.stamp = (st.st_size, st.st_mtime_ns)
        fresh[key] = [
            st.st_size,
            st.st_mtime_ns,
            article_id,
            article.sha256,
            article.title,
            article.source,
            article.date,
            article.city,
        ]
        seen.add(article_id)
        articles.append(article)
    if cache is not None and fresh != cached:
        _write_cache(cache, fresh)
    return Corpus(articles)
