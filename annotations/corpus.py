"""The corpus: articles loaded from files and folders, with stable ids and normalised text."""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import orjson

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

    A `title` of None means the metadata (title, source, date, city) is not extracted
    yet: it is, from the text, the first time any of them is asked for. A first start
    on 10,000 files then hashes each file (re-anchoring needs that) but extracts only
    the titles on screen; `Corpus.complete_metadata` does the rest in the background.
    """

    __slots__ = (
        "_city",
        "_date",
        "_path",
        "_source",
        "_text",
        "_title",
        "id",
        "meta",
        "sha256",
        "stamp",
    )

    def __init__(
        self,
        id: str,
        path: Path | str,
        text: str | None,
        sha256: str,
        title: str | None,
        source: str | None = None,
        date: str | None = None,
        city: str | None = None,
        meta: dict[str, str] | None = None,
    ) -> None:
        self.id = id
        self._path = path
        self._text = text
        self.sha256 = sha256
        self._source = source
        self._date = date
        self._city = city
        self._title = title
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

    def _extract(self) -> str:
        """Extract the metadata from the text; the title is set last (a reader in another
        thread that sees it sees the rest too)."""
        # An unread text is read for this, not kept: 10,000 texts need not stay in memory.
        text = self._text if self._text is not None else self._read()
        found = extract_metadata(text, fallback_title=Path(self.id).stem)
        self._source, self._date, self._city = found.source, found.date, found.city
        self._title = found.title
        return found.title

    @property
    def title(self) -> str:
        title = self._title
        return title if title is not None else self._extract()

    @title.setter
    def title(self, value: str) -> None:
        self._title = value

    @property
    def source(self) -> str | None:
        if self._title is None:
            self._extract()
        return self._source

    @source.setter
    def source(self, value: str | None) -> None:
        self._source = value

    @property
    def date(self) -> str | None:
        if self._title is None:
            self._extract()
        return self._date

    @date.setter
    def date(self, value: str | None) -> None:
        self._date = value

    @property
    def city(self) -> str | None:
        if self._title is None:
            self._extract()
        return self._city

    @city.setter
    def city(self, value: str | None) -> None:
        self._city = value

    @property
    def has_metadata(self) -> bool:
        return self._title is not None

    def _read(self) -> str:
        try:
            return normalise(decode(self.path.read_bytes()))
        except (OSError, BinaryFileError):
            return ""  # gone since start-up: shown empty, annotations kept

    @property
    def text(self) -> str:
        if self._text is None:
            text = self._read()
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


def preload_texts(articles: Sequence[Article]) -> None:
    """Read the texts of these articles ahead, in one request per source where it can.

    Articles whose text comes over the network (team mode) have a `fetch_many`
    that fetches a whole batch in one query; reading them one by one would be one
    round trip each (100,000 for a large corpus). Local articles read their files
    when first asked, as before.
    """
    batches: dict[object, list[Article]] = {}
    for article in articles:
        fetch_many = getattr(article, "fetch_many", None)
        if fetch_many is not None and not article.loaded:
            batches.setdefault(fetch_many, []).append(article)
    for fetch_many, batch in batches.items():
        fetch_many(batch)  # type: ignore[operator]


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
        self.cache: _CacheEntries | None = None  # set by `load_corpus` with a cache

    def complete_metadata(
        self, progress: Callable[[int, int], None] | None = None, every: int = 500
    ) -> int:
        """Extract every article's metadata not extracted yet, then save the titles to the
        corpus cache so the next start has them. Safe in a worker thread (the UI may
        extract a row's title meanwhile: the same result). Returns how many it extracted.

        `progress(done, total)` is called every `every` articles; it may raise to stop.
        """
        articles = list(self.articles)
        done = 0
        for i, article in enumerate(articles):
            if not article.has_metadata:
                article.title  # noqa: B018 - extracts
                done += 1
            if progress is not None and (i + 1) % every == 0:
                progress(i + 1, len(articles))
        cache = self.cache
        if cache is not None:
            stale = False
            for article in articles:
                entry = cache.entries.get(cache.keys.get(article.id, ""))
                if entry is not None and entry[4] is None and article.sha256 == entry[3]:
                    entry[4:8] = [article.title, article.source, article.date, article.city]
                    stale = True
            if stale:
                _write_cache(cache.path, cache.entries)
        return done

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
        data = orjson.loads(path.read_bytes())
        if data.get("format") == CACHE_FORMAT and isinstance(data.get("files"), dict):
            return data["files"]
    except (OSError, ValueError, AttributeError):
        pass  # missing or damaged (orjson's errors are ValueErrors): it is only a cache
    return {}


def _write_cache(path: Path, files: dict[str, list]) -> None:
    try:
        ensure_private_dir(path.parent)
        data = {"format": CACHE_FORMAT, "files": files}
        try:
            payload = orjson.dumps(data)
        except TypeError:  # a lone surrogate in a title: json escapes it
            payload = json.dumps(data).encode("ascii")
        atomic_write_bytes(path, payload, mode=0o600)
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
    changed = False
    for article_id, path, key in discover(paths, warn):
        if article_id in seen:
            warn(f"{printable(str(path))}: skipped, another file already has the id {article_id!r}")
            continue
        try:
            st = os.stat(path)
        except OSError as exc:
            warn(f"{printable(str(path))}: skipped, {exc.strerror or exc}")
            continue
        if not stat.S_ISREG(st.st_mode):
            # A FIFO would block the read forever; a device could be endless.
            warn(f"{printable(str(path))}: skipped, not a regular file")
            continue
        entry = cached.get(key)
        if (
            entry
            and entry[0] == st.st_size
            and entry[1] == st.st_mtime_ns
            and entry[2] == article_id
            and len(entry) == 8
        ):
            # Unchanged since cached: the entry is reused as it is (start-up with a warm
            # cache is one `stat` and one object per file).
            article = Article(article_id, path, None, *entry[3:])
            article.stamp = (st.st_size, st.st_mtime_ns)
            fresh[key] = entry
            seen.add(article_id)
            articles.append(article)
            continue
        changed = True
        shown = printable(str(path))
        try:
            with open(path, "rb") as fh:  # the walk's string: no `Path` parsing per file
                text = normalise(decode(fh.read()))
        except BinaryFileError:
            warn(f"{shown}: skipped, binary file")
            continue
        except OSError as exc:
            warn(f"{shown}: skipped, {exc.strerror or exc}")
            continue
        if not text.strip():
            warn(f"{shown}: skipped, empty file")
            continue
        # Hashed now (re-anchoring compares hashes); the text is read again when shown
        # and the metadata extracted when first asked for (see `Article`).
        article = Article(article_id, path, None, sha256_of(text), None)
        article.stamp = (st.st_size, st.st_mtime_ns)
        fresh[key] = [
            st.st_size,
            st.st_mtime_ns,
            article_id,
            article.sha256,
            None,
            None,
            None,
            None,
        ]
        seen.add(article_id)
        articles.append(article)
    if cache is not None and (changed or len(fresh) != len(cached)):
        _write_cache(cache, fresh)
    corpus = Corpus(articles)
    if cache is not None:
        corpus.cache = _CacheEntries(cache, fresh, {e[2]: k for k, e in fresh.items()})
    return corpus


class _CacheEntries:
    """The corpus cache file and its entries by key, for `Corpus.complete_metadata`."""

    def __init__(self, path: Path, entries: dict[str, list], keys: dict[str, str]) -> None:
        self.path = path
        self.entries = entries
        self.keys = keys  # article id -> its entry's key
