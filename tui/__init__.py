"""Tagline's terminal app: screens, widgets, styles and key bindings over the `annotations` core."""
