"""Subcommands of `tagline`: each module has `register(subparsers, common)`."""

from __future__ import annotations

from . import agreement, export, importing, listing, merge, stats, suggest, themes

COMMANDS = [
    listing.register,
    export.register,
    importing.register,
    themes.register,
    stats.register,
    suggest.register,
    merge.register,
    agreement.register,
]
