"""A plain `tagline [--db] [--corpus] [--author]` is parsed without the subcommands' parser
(and their imports); anything else goes to the full parser, with its messages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tui.cli.main import _reader_args, main


def test_the_readers_options_are_parsed_without_the_full_parser():
    args = _reader_args(["--db", "x.json", "--corpus", "a", "--corpus=b", "--author", "ana"])
    assert args is not None
    assert args.db == Path("x.json") and args.corpus == [Path("a"), Path("b")]
    assert args.author == "ana"
    assert _reader_args([]) is not None


@pytest.mark.parametrize("argv", [["list"], ["-h"], ["--db"], ["--db", "x", "export"], ["--nope"]])
def test_anything_else_goes_to_the_full_parser(argv):
    assert _reader_args(argv) is None


def test_a_mistake_still_gets_the_full_parsers_message(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--nope"])
    assert exc.value.code == 2 and "unrecognized arguments: --nope" in capsys.readouterr().err


def test_starting_the_reader_imports_no_subcommand_or_format(tmp_path):
    import subprocess

    code = (
        "import sys; import tui.cli.main as m; m._reader_args(['--db', 'x']);"
        "print(any(n.startswith(('annotations.formats', 'tui.cli.export')) for n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
