"""The `tagline` command: the TUI with no command, else a subcommand on the same corpus and store.

Each subcommand lives in a module of `tui.commands` that registers its parser;
this module holds the shared options, opening of the workspace, and the rule
that every error is one line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from annotations.formats import FormatError
from annotations.storage import StoreError
from annotations.themes import ThemeError
from annotations.workspace import Workspace, open_workspace

from .commands import COMMANDS

EXIT_ERROR = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


def warn(message: str) -> None:
    print(f"tagline: warning: {message}", file=sys.stderr)


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool, author: bool = True) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        type=Path,
        default=default,
        metavar="PATH",
        help="annotation database (default: $TAGLINE_DB or the user data folder)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=default,
        metavar="PATH",
        help="article file or folder, repeatable (default: the bundled seeds)",
    )
    if not author:
        return
    parser.add_argument(
        "--author",
        default=default,
        help="name recorded on new annotations (default: $TAGLINE_AUTHOR or login name)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tagline",
        description="Read news articles in the terminal and code passages by theme.",
        epilog="With no command, opens the reader. `tagline COMMAND -h` for a command's options.",
    )
    _add_common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(author: bool = True) -> argparse.ArgumentParser:
        """A parent parser with the shared options, so they work after the command too."""
        parent = argparse.ArgumentParser(add_help=False)
        _add_common(parent, suppress=True, author=author)
        return parent

    for register in COMMANDS:
        register(sub, common)
    return parser


def open_from_args(
    args: argparse.Namespace,
    *,
    write: bool = False,
    fallback_read_only: bool = False,
    reanchor: bool = True,
) -> Workspace:
    """The corpus and store named by `--corpus`/`--db`; writers wait briefly for a lock."""
    workspace = open_workspace(
        args.corpus,
        args.db,
        read_only=not write and not fallback_read_only,
        fallback_read_only=fallback_read_only,
        wait=5.0 if write else 0.0,
        author=args.author,
        warn=warn,
        reanchor=reanchor,
    )
    if workspace.anchoring:
        print(f"tagline: {workspace.anchoring.message()}", file=sys.stderr)
    return workspace


def run_tui(args: argparse.Namespace) -> int:
    from .app import TaglineApp

    workspace = open_from_args(args, write=True, fallback_read_only=True)
    try:
        TaglineApp(workspace).run()
    finally:
        workspace.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", run_tui)
    try:
        return handler(args) or 0
    except (CommandError, StoreError, FormatError, ThemeError) as exc:
        print(f"tagline: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # `tagline export | head`: the reader left; not an error worth a traceback.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except FileNotFoundError as exc:
        print(
            f"tagline: error: {exc.filename or ''}{': ' if exc.filename else ''}{exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"tagline: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
