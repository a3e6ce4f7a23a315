"""Subcommands of `tagline`: each module has `register(subparsers, common)`."""

from __future__ import annotations

from tui.cli import (
    agreement,
    doctor,
    done,
    export,
    importing,
    listing,
    merge,
    report,
    search,
    stats,
    suggest,
    team,
    themes,
)

COMMANDS = [
    listing.register,
    search.register,
    export.register,
    importing.register,
    themes.register,
    stats.register,
    report.register,
    suggest.register,
    merge.register,
    done.register,
    agreement.register,
    doctor.register,
    team.register,
]
