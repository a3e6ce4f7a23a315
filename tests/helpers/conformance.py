"""Run the shared conformance kits (`../shared/conformance`) on files the suite writes.

Each check skips, with the reason, when the kit or its library is absent, so the suite
still runs outside the team's checkout; in CI both are present and every check runs.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.helpers.paths import SHARED

W3C = SHARED / "conformance" / "w3c" / "validate.py"
REFI = SHARED / "conformance" / "refi-qda" / "validate.py"


def _run(kit: Path, library: str, data: bytes, suffix: str) -> subprocess.CompletedProcess:
    if not kit.is_file():
        pytest.skip(f"conformance kit not found at {kit} (../shared is not beside the repo)")
    if importlib.util.find_spec(library) is None:
        pytest.skip(f"the conformance kit needs {library} (pip install -e '.[test]')")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"written{suffix}"
        path.write_bytes(data)
        return subprocess.run(
            [sys.executable, str(kit), str(path)], capture_output=True, text=True, timeout=300
        )


def assert_w3c_valid(text: str) -> None:
    """Every line of `text` passes the W3C Web Annotation MUST assertions."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return
    result = _run(W3C, "jsonschema", text.encode("utf-8"), ".jsonl")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(lines)} passed, 0 failed" in result.stdout


def assert_qdpx_valid(data: bytes) -> None:
    """The QDPX passes the official QDA-XML 1.0 schema and has every source it names."""
    result = _run(REFI, "xmlschema", data, ".qdpx")
    assert result.returncode == 0, result.stdout + result.stderr
