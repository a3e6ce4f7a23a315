"""Subcommands of `tagline`: each module has `register(subparsers, common)`."""

from __future__ import annotations

from . import doctor, export, importing, listing, search, themes

COMMANDS = [
    listing.register,
    search.register,
    export.register,
    importing.register,
    themes.register,
    doctor.register,
]
