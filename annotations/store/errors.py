"""Errors every store backend raises, so callers catch them without knowing the backend."""

from __future__ import annotations


class StoreError(Exception):
    """A store problem with a one-line, user-facing message."""


class ReadOnlyError(StoreError):
    """The store was opened read-only."""


class StaleEditError(StoreError):
    """The change was made on an annotation someone else has changed since; nothing was saved."""


class NotAllowedError(StoreError):
    """The backend refused the change: the user's role may not make it."""
