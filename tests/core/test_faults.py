"""Faults from outside: a second process on the store, and arbitrary input to the loaders."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.corpus import load_corpus
from annotations.formats import FORMATS, FormatError, ImportContext, get_format
from annotations.store.tinydb_store import AnnotationStore
from annotations.text.decode import BinaryFileError, decode, normalise

WRITER = textwrap.dedent(
    """
    import sys, time
    from annotations.corpus import load_corpus
    from annotations.store.tinydb_store import AnnotationStore
    art = load_corpus().articles[0]
    with AnnotationStore(sys.argv[1]) as s:
        s.tag(art, 0, 7, ["energy"])
        print("holding", flush=True)
        time.sleep(1.5)
        s.tag(art, 8, 18, ["energy"])
    """
)


def test_two_processes_one_waits_no_lost_update(tmp_path, seeds):
    db = tmp_path / "db.json"
    art = seeds.articles[0]
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps(
            {
                "article_id": art.id,
                "start": 30,
                "end": 40,
                "exact": art.text[30:40],
                "themes": ["Arctic route"],
            }
        )
        + "\n"
    )
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, cwd=root
    )
    assert writer.stdout.readline().strip() == "holding"
    started = time.monotonic()
    importer = subprocess.run(
        [sys.executable, "-m", "tui", "import", str(src), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=60,
    )
    waited = time.monotonic() - started
    assert writer.wait(timeout=30) == 0
    assert importer.returncode == 0, importer.stderr
    assert waited > 0.5  # it waited for the writer's lock instead of writing beside it
    with AnnotationStore(db, read_only=True) as s:
        spans = sorted((a.start, a.end) for a in s.all())
    assert spans == [(0, 7), (8, 18), (30, 40)]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=2000))
def test_loader_survives_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    warnings: list[str] = []
    corpus = load_corpus([path], warn=warnings.append)
    if len(corpus):
        text = corpus.articles[0].text
        assert text == normalise(text) and "\r" not in text
    else:
        assert len(warnings) == 1 and str(path) in warnings[0]
    try:
        assert isinstance(decode(data), str)
    except BinaryFileError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=12,
)
record_keys = st.sampled_from(
    ["article_id", "start", "end", "exact", "themes", "id", "note", "author", "status", "created"]
)
records = st.dictionaries(
    record_keys, json_values | st.just("000_eead7ac999ac4f1f.txt"), max_size=8
)


READERS = sorted(name for name, fmt in FORMATS.items() if fmt.reader is not None)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(READERS), st.lists(records | json_values, max_size=4), st.text(max_size=30))
def test_importers_raise_only_format_errors(seeds, fmt, lines, junk):
    body = "\n".join(json.dumps(x) for x in lines) + "\n" + junk
    if fmt == "labelstudio" and junk.startswith("]"):
        body = "[" + body  # also reach past the outer list
    ctx = ImportContext(seeds, "fuzz", "fuzz.jsonl")
    try:
        anns = get_format(fmt).reader(io.StringIO(body), ctx)
    except FormatError as exc:
        assert str(exc).startswith("fuzz.jsonl:")
        return
    for ann in anns:
        assert seeds.get(ann.article_id).text[ann.start : ann.end] == ann.exact


def test_import_is_all_or_nothing_even_when_the_disk_fails(tmp_path, seeds, monkeypatch):
    import errno
    import os

    from annotations.store.journal import StoreWriteError

    art = seeds.articles[0]
    with AnnotationStore(tmp_path / "db.json") as s:
        s.tag(art, 0, 5, ["energy"])
        ctx = ImportContext(seeds, "x", "in.jsonl")
        lines = "".join(
            json.dumps(
                {
                    "article_id": art.id,
                    "start": i,
                    "end": i + 3,
                    "exact": art.text[i : i + 3],
                    "themes": ["energy"],
                }
            )
            + "\n"
            for i in range(10, 100, 5)
        )
        anns = get_format("jsonl").reader(io.StringIO(lines), ctx)

        def full(line):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(s.storage, "_append", full)
        try:
            s.put_many(anns)
        except StoreWriteError as exc:
            assert "No space left on device" in str(exc)
        else:
            raise AssertionError("the failed save was not reported")
        assert len(s) == 1
