"""What every subcommand shares: the error type, warnings, common options, opening the workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotations.store.postgres import is_team_url
from annotations.text.sanitize import printable
from annotations.workspace import Workspace, open_workspace

EXIT_ERROR = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit code 1."""


def warn(message: str) -> None:
    print(f"tagline: warning: {printable(message)}", file=sys.stderr)


def db_location(value: str) -> Path | str:
    """`--db`: a team database URL stays a string (a `Path` would fold its `//`)."""
    return value if is_team_url(value) else Path(value)


def add_common(parser: argparse.ArgumentParser, *, suppress: bool, author: bool = True) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        type=db_location,
        default=default,
        metavar="PATH|URL",
        help="annotation database: a file, or postgresql://… for team mode "
        "(default: $TAGLINE_DB or the user data folder)",
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


def open_from_args(
    args: argparse.Namespace,
    *,
    write: bool = False,
    fallback_read_only: bool = False,
    reanchor: bool = True,
    salvage: bool = False,
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
        salvage=salvage,
    )
    if workspace.anchoring:
        print(f"tagline: {workspace.anchoring.message()}", file=sys.stderr)
    return workspace
