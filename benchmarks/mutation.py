"""Mutation testing of one core module against the tests that cover it (not in CI: slow).

    nice -n 19 python -m benchmarks.mutation annotations/anchoring.py
    .venv/bin/mutmut results        # the survivors; `mutmut show NAME` shows one

    nice -n 19 python -m benchmarks.mutation annotations/store/journal.py --only '*__mutmut_*[05]'

Runs `mutmut` (the `mutation` extra; settings in `pyproject.toml`) on that module only,
against the test files under `tests/core` that import it, or that import the facade the
module is reached through (`FACADES`: the store's journal and edits through
`tinydb_store`, a format through `annotations.formats` when the test names the format);
mutmut then runs, for each mutant, only the tests that call the mutated function. One
worker, so it shares the machine. `--only GLOB` runs the mutants whose names match (mutmut
names them `module.x_function__mutmut_N`): a sample of a slow module, or the survivors
again after new tests. Prints mutmut's summary; the score is killed / (killed + survived).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# Modules the tests reach through another one, not by importing them: dotted name ->
# the facades whose importers also cover it.
FACADES = {
    "annotations.store.journal": ("annotations.store.tinydb_store",),
    "annotations.store.edits": ("annotations.store.tinydb_store",),
    "annotations.text.decode": ("annotations.corpus",),
    "annotations.text.metadata": ("annotations.corpus",),
    "annotations.identity": ("annotations.anchoring",),
    # The formats' shared helpers: reached through every format ("pkg.*": any import in it).
    **{
        f"annotations.formats.{helper}": ("annotations.formats.*",)
        for helper in ("matching", "checks", "dates", "units", "new_articles")
    },
}


# Hypothesis-driven files that cost ~30 s per surviving mutant; `--slow` adds them back.
SLOW = {"tests/core/test_fuzz_hardening.py", "tests/core/test_roundtrip_property.py"}
TIMEOUT = 60  # seconds per test under a mutant (pytest-timeout)


def covering_tests(module: Path) -> list[str]:
    """Test files under tests/core that import `module` (by its dotted name) or its facade.

    A format module (`annotations/formats/w3c.py`) is reached through the registry,
    `get_format("w3c")`: a test that imports `annotations.formats` and quotes the format's
    name covers it.
    """
    dotted = module.with_suffix("").as_posix().replace("/", ".")
    names = (dotted, *FACADES.get(dotted, ()))
    package, _, leaf = dotted.rpartition(".")
    quoted = (f'"{leaf}"', f"'{leaf}'") if package == "annotations.formats" else ()
    tests = []
    for path in sorted((ROOT / "tests" / "core").glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        imports = set(re.findall(r"^\s*(?:from|import) ([\w.]+)", text, re.M))
        if any(_imports(imports, name) for name in names) or (
            package in imports and any(q in text for q in quoted)
        ):
            tests.append(path.relative_to(ROOT).as_posix())
    return tests


def _imports(imports: set[str], name: str) -> bool:
    if name.endswith(".*"):
        package = name[:-2]
        return any(i == package or i.startswith(package + ".") for i in imports)
    return name in imports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path, help="e.g. annotations/anchoring.py")
    parser.add_argument(
        "--only", metavar="GLOB", nargs="+", default=[], help="run only these mutant names"
    )
    parser.add_argument("--slow", action="store_true", help="include the SLOW test files")
    args = parser.parse_args(argv)
    module = args.module
    if not (ROOT / module).is_file():
        parser.error(f"{module}: no such module")
    tests = [t for t in covering_tests(module) if args.slow or t not in SLOW]
    if not tests:
        parser.error(f"{module}: no test under tests/core imports it")
    print(f"mutating {module} against {', '.join(tests)}", flush=True)
    # mutmut keeps `mutants/` between runs and only mutates files it has not copied yet:
    # another module's leftovers would leave this one unmutated.
    mutants = ROOT / "mutants"
    marker = mutants / "tagline-module"
    if mutants.exists() and (not marker.exists() or marker.read_text() != module.as_posix()):
        shutil.rmtree(mutants)
    mutants.mkdir(exist_ok=True)
    marker.write_text(module.as_posix())

    import mutmut.configuration as settings  # the `mutation` extra
    from mutmut.__main__ import cli

    base = settings.config()
    settings._config = replace(
        base,
        only_mutate=[module.as_posix()],
        pytest_add_cli_args_test_selection=tests,
        pytest_add_cli_args=[*base.pytest_add_cli_args, f"--timeout={TIMEOUT}"],
    )
    return cli(["run", "--max-children", "1", *args.only], standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main())
