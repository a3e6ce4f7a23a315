"""Mutation testing of one core module against the tests that cover it (not in CI: slow).

    nice -n 19 python -m benchmarks.mutation annotations/anchoring.py
    .venv/bin/mutmut results        # the survivors; `mutmut show NAME` shows one

Runs `mutmut` (the `mutation` extra; settings in `pyproject.toml`) on that module only,
against the test files under `tests/core` that import it; mutmut then runs, for each
mutant, only the tests that call the mutated function. One worker, so it shares the
machine. Prints mutmut's summary; the score is killed / (killed + survived).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def covering_tests(module: Path) -> list[str]:
    """Test files under tests/core that import `module` (by its dotted name)."""
    dotted = module.with_suffix("").as_posix().replace("/", ".")
    return [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "tests" / "core").glob("test_*.py"))
        if dotted in path.read_text(encoding="utf-8")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", type=Path, help="e.g. annotations/anchoring.py")
    args = parser.parse_args(argv)
    module = args.module
    if not (ROOT / module).is_file():
        parser.error(f"{module}: no such module")
    tests = covering_tests(module)
    if not tests:
        parser.error(f"{module}: no test under tests/core imports it")
    print(f"mutating {module} against {', '.join(tests)}", flush=True)

    import mutmut.configuration as settings  # the `mutation` extra
    from mutmut.__main__ import cli

    base = settings.config()
    settings._config = replace(
        base, only_mutate=[module.as_posix()], pytest_add_cli_args_test_selection=tests
    )
    return cli(["run", "--max-children", "1"], standalone_mode=False) or 0


if __name__ == "__main__":
    sys.exit(main())
