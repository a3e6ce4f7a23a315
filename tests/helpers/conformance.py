"""Run the shared conformance kits (`../shared/conformance`) on files the suite writes.

The kits are loaded once and run in-process (a fresh interpreter per file would cost
a second each). Each check skips, with the reason, when the kit or its library is
absent, so the suite still runs outside the team's checkout.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers.paths import SHARED

W3C = SHARED / "conformance" / "w3c" / "validate.py"
REFI = SHARED / "conformance" / "refi-qda" / "validate.py"
QDA = "{urn:QDA-XML:project:1.0}"


@functools.cache
def _kit(path: Path, library: str) -> ModuleType | str:
    """The kit's module, or why it cannot run."""
    if not path.is_file():
        return f"conformance kit not found at {path} (../shared is not beside the repo)"
    if importlib.util.find_spec(library) is None:
        return f"the conformance kit {path.name} needs {library} (pip install -e '.[test]')"
    spec = importlib.util.spec_from_file_location(f"_kit_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _load(path: Path, library: str) -> ModuleType:
    kit = _kit(path, library)
    if isinstance(kit, str):
        pytest.skip(kit)
    return kit


@functools.cache
def _w3c_tests() -> list[Any]:
    kit = _load(W3C, "jsonschema")
    return kit.load_tests(kit.KIT_DIR, kit.default_test_paths(kit.KIT_DIR), "ajv4")


@functools.cache
def _refi_schema() -> Any:
    kit = _load(REFI, "xmlschema")
    return kit.xmlschema.XMLSchema(str(kit.XSD))


def assert_w3c_valid(text: str) -> None:
    """Every line of `text` passes the W3C Web Annotation MUST assertions (as validate.py runs them)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return
    kit, tests = _load(W3C, "jsonschema"), _w3c_tests()
    for number, line in enumerate(lines, start=1):
        failures = [f for f in kit.check_annotation(tests, json.loads(line)) if f.kind == "must"]
        assert not failures, f"line {number}: " + "; ".join(
            f"{f.label}: {f.message}" for f in failures
        )


def assert_qdpx_valid(data: bytes) -> None:
    """The QDPX passes the QDA-XML 1.0 schema and holds every source it names (as validate.py)."""
    schema = _refi_schema()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        xml = archive.read("project.qde")
    from xml.etree import ElementTree as ET

    root = ET.fromstring(xml)
    errors = [str(e.reason) for e in schema.iter_errors(root)]
    assert not errors, errors[:5]
    for source in root.iter(f"{QDA}TextSource"):
        path = source.get("plainTextPath", "")
        if path.startswith("internal://"):
            assert "sources/" + path[len("internal://") :] in names, path
