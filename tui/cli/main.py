"""The `tagline` command: the TUI with no command, else a subcommand on the same corpus and store.

Each subcommand lives in a module of `tui.cli` that registers its parser;
`tui.cli.common` holds the shared options and opening of the workspace; this module holds the rule
that every error is one line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence

from annotations.store.journal import StoreError
from annotations.text.sanitize import printable
from annotations.themes import ThemeError
from tui.cli.common import EXIT_ERROR, CommandError, add_common, open_from_args


def _reader_args(argv: list[str]) -> argparse.Namespace | None:
    """The options of a plain `tagline [--db …] [--corpus …] [--author …]`, parsed without
    importing every subcommand (and every interchange format) the full parser needs:
    ~0.15 s of the reader's start. None for anything else (a command, `-h`, a mistake):
    the full parser then decides, with its own messages."""
    light = argparse.ArgumentParser(prog="tagline", add_help=False, exit_on_error=False)
    add_common(light, suppress=False)
    try:
        args, rest = light.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return None
    return None if rest else args


def _user_errors() -> tuple[type[BaseException], ...]:
    """Errors shown as one line. A `FormatError` can only come from the formats package,
    so it is only looked for once that is imported (the reader never imports it)."""
    formats = sys.modules.get("annotations.formats")
    extra = (formats.FormatError,) if formats is not None else ()
    return (CommandError, StoreError, ThemeError, *extra)


def build_parser() -> argparse.ArgumentParser:
    from tui.cli.commands import COMMANDS

    parser = argparse.ArgumentParser(
        prog="tagline",
        description="Read news articles in the terminal and code passages by theme.",
        epilog="With no command, opens the reader. `tagline COMMAND -h` for a command's options.",
    )
    add_common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(author: bool = True) -> argparse.ArgumentParser:
        """A parent parser with the shared options, so they work after the command too."""
        parent = argparse.ArgumentParser(add_help=False)
        add_common(parent, suppress=True, author=author)
        return parent

    for register in COMMANDS:
        register(sub, common)
    _describe(sub)
    return parser


def _describe(sub: argparse._SubParsersAction) -> None:
    """`tagline COMMAND -h` opens with the command's one-line summary (nested ones too)."""
    summaries = {a.dest: a.help for a in sub._choices_actions}
    for name, parser in sub.choices.items():
        if parser.description is None and summaries.get(name):
            parser.description = summaries[name][0].upper() + summaries[name][1:] + "."
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _describe(action)


def run_tui(args: argparse.Namespace) -> int:
    # Imported here so that subcommands start without loading Textual.
    from tui.app import TaglineApp

    workspace = open_from_args(args, write=True, fallback_read_only=True)
    try:
        TaglineApp(workspace).run()
    finally:
        workspace.close()
    unsaved = getattr(workspace.store, "pending", 0)
    if unsaved:  # team mode: the server was away when the reader closed
        print(
            f"tagline: {unsaved} change(s) made while {workspace.store.location} was "
            "unreachable were not saved",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _reader_args(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", run_tui)
    try:
        return handler(args) or 0
    except _user_errors() as exc:
        print(f"tagline: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except UnicodeEncodeError:
        print(
            "tagline: error: the database holds text that is not valid Unicode "
            "(a lone surrogate); run `tagline doctor --repair`",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except BrokenPipeError:
        # `tagline export | head`: the reader left; not an error worth a traceback.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except FileNotFoundError as exc:
        print(
            printable(
                f"tagline: error: {exc.filename or ''}{': ' if exc.filename else ''}"
                f"{exc.strerror or exc}"
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(printable(f"tagline: error: {where}{exc.strerror or exc}"), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
