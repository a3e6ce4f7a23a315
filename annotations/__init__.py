"""Tagline's core: corpus, themes, annotations and their store, search, anchoring, formats.

Plain Python with no terminal or Textual dependency, so every piece is testable in milliseconds.
"""
