"""The codebook: themes with a name, a colour, a hotkey and cue phrases."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

HOTKEYS = tuple("123456789")

# Mid-luminance colours that keep contrast on both dark and light backgrounds
# (used as background tints and as foreground marks), distinct under common
# colour-vision deficiencies as far as nine colours can be.
PALETTE = (
    "#E69F00",  # orange
    "#3A8FD6",  # blue
    "#20A386",  # teal
    "#CC5FA0",  # magenta
    "#8C7AE6",  # violet
    "#C8A600",  # mustard
    "#D55E00",  # vermilion
    "#5DA832",  # green
    "#8A8A8A",  # grey
)

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_NAMED = {
    "orange": "#E69F00",
    "blue": "#3A8FD6",
    "teal": "#20A386",
    "magenta": "#CC5FA0",
    "violet": "#8C7AE6",
    "purple": "#8C7AE6",
    "yellow": "#C8A600",
    "mustard": "#C8A600",
    "red": "#D55E00",
    "vermilion": "#D55E00",
    "green": "#5DA832",
    "grey": "#8A8A8A",
    "gray": "#8A8A8A",
}
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ThemeError(ValueError):
    """An invalid codebook change, with a one-line message."""


class ThemeInUseError(ThemeError):
    """Removing a theme that annotations still use (the caller says how to force it)."""

    def __init__(self, theme: str, count: int) -> None:
        super().__init__(f"theme {theme!r} is used by {count} annotation(s)")
        self.theme = theme
        self.count = count


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    color: str
    hotkey: str = ""
    cues: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cues"] = list(self.cues)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Theme:
        return cls(
            name=str(data["name"]),
            color=normalise_color(str(data.get("color") or PALETTE[0])),
            hotkey=str(data.get("hotkey") or ""),
            cues=tuple(str(c) for c in data.get("cues") or ()),
        )


# Default cue phrases (analysts edit them with `tagline themes cues`). Tuned on the
# hand-labelled seed sentences (see benchmarks/suggest_bench.py): bare "energy"
# added (sectors are listed as "energy, agriculture and ..."), "hi-tech" dropped
# from digital economy (it over-fires on lists of sectors that are not digital),
# companies added as domain cues.
DEFAULT_THEMES: tuple[Theme, ...] = (
    Theme(
        "energy",
        PALETTE[0],
        "1",
        (
            "energy",
            "energy security",
            "oil",
            "natural gas",
            "gas pipeline",
            "pipeline",
            "LNG",
            "liquefied natural gas",
            "Power of Siberia",
            "nuclear energy",
            "nuclear power plant",
            "energy cooperation",
            "coal",
            "electricity",
            "Rosneft",
            "Gazprom",
            "crude",
            "renewable energy",
            "petroleum",
            "hydropower",
            "power grid",
        ),
    ),
    Theme(
        "digital economy",
        PALETTE[1],
        "2",
        (
            "digital economy",
            "e-commerce",
            "cross-border e-commerce",
            "big data",
            "Internet of Things",
            "smart cities",
            "artificial intelligence",
            "5G",
            "information technology",
            "digital",
            "online payment",
            "cloud computing",
            "internet",
            "telecommunication",
            "blockchain",
            "data center",
            "Alibaba",
            "Huawei",
            "Yandex",
        ),
    ),
    Theme(
        "Arctic route",
        PALETTE[2],
        "3",
        (
            "Arctic",
            "Northern Sea Route",
            "Silk Road on Ice",
            "Polar Silk Road",
            "Yamal",
            "icebreaker",
            "polar",
            "Arctic shipping route",
            "Arctic LNG",
            "international transportation corridor",
            "Northeast Passage",
            "ice-class",
        ),
    ),
)


def normalise_color(color: str) -> str:
    """`#RRGGBB` from a hex code or one of a few colour names; raises `ThemeError`."""
    value = color.strip()
    if value.lower() in _NAMED:
        return _NAMED[value.lower()]
    if not value.startswith("#"):
        value = "#" + value
    if not _HEX.match(value):
        raise ThemeError(f"{color!r} is not a colour: use #RRGGBB or one of {', '.join(_NAMED)}")
    return value.upper()


def clean_name(name: str) -> str:
    """A theme name with whitespace collapsed; raises `ThemeError` if unusable."""
    cleaned = " ".join(_BAD_NAME.sub(" ", name).split())
    if not cleaned:
        raise ThemeError("a theme needs a name")
    if len(cleaned) > 60:
        raise ThemeError(f"theme name {cleaned[:20]!r}… is longer than 60 characters")
    return cleaned


class Codebook:
    """An ordered list of themes. Names are matched case-insensitively."""

    def __init__(self, themes: list[Theme] | tuple[Theme, ...] = DEFAULT_THEMES) -> None:
        self.themes: list[Theme] = list(themes)

    def __iter__(self):
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def names(self) -> list[str]:
        return [t.name for t in self.themes]

    def get(self, name: str) -> Theme | None:
        key = name.strip().casefold()
        return next((t for t in self.themes if t.name.casefold() == key), None)

    def require(self, name: str) -> Theme:
        theme = self.get(name)
        if theme is None:
            raise ThemeError(f"no theme named {name!r} (themes: {', '.join(self.names())})")
        return theme

    def by_hotkey(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.hotkey == key), None)

    def color_of(self, name: str) -> str:
        theme = self.get(name)
        return theme.color if theme else PALETTE[-1]

    def next_hotkey(self) -> str:
        used = {t.hotkey for t in self.themes}
        return next((k for k in HOTKEYS if k not in used), "")

    def next_color(self) -> str:
        used = {t.color for t in self.themes}
        return next((c for c in PALETTE if c not in used), PALETTE[len(self.themes) % len(PALETTE)])

    def copy(self) -> Codebook:
        return Codebook(list(self.themes))

    # Mutations return a new Codebook, so the store can keep the old one for undo.

    def add(
        self,
        name: str,
        color: str | None = None,
        hotkey: str | None = None,
        cues: tuple[str, ...] = (),
    ) -> tuple[Codebook, Theme]:
        name = clean_name(name)
        if self.get(name):
            raise ThemeError(f"a theme named {name!r} already exists")
        if hotkey:
            if hotkey not in HOTKEYS:
                raise ThemeError(f"hotkey {hotkey!r} must be one of 1-9")
            holder = self.by_hotkey(hotkey)
            if holder is not None:
                raise ThemeError(f"hotkey {hotkey} is already used by {holder.name!r}")
        theme = Theme(
            name=name,
            color=normalise_color(color) if color else self.next_color(),
            hotkey=hotkey if hotkey else self.next_hotkey(),
            cues=tuple(cues),
        )
        return Codebook([*self.themes, theme]), theme

    def _swap(self, old: Theme, new: Theme) -> Codebook:
        return Codebook([new if t is old else t for t in self.themes])

    def rename(self, old: str, new: str) -> tuple[Codebook, Theme, Theme]:
        theme = self.require(old)
        new = clean_name(new)
        other = self.get(new)
        if other is not None and other is not theme:
            raise ThemeError(f"a theme named {new!r} already exists")
        renamed = replace(theme, name=new)
        return self._swap(theme, renamed), theme, renamed

    def recolor(self, name: str, color: str) -> Codebook:
        theme = self.require(name)
        return self._swap(theme, replace(theme, color=normalise_color(color)))

    def set_hotkey(self, name: str, hotkey: str) -> Codebook:
        theme = self.require(name)
        if hotkey and hotkey not in HOTKEYS:
            raise ThemeError(f"hotkey {hotkey!r} must be one of 1-9")
        holder = self.by_hotkey(hotkey) if hotkey else None
        themes = [replace(t, hotkey="") if t is holder else t for t in self.themes]
        return Codebook(themes)._swap(
            themes[self.themes.index(theme)], replace(theme, hotkey=hotkey)
        )

    def set_cues(self, name: str, cues: tuple[str, ...]) -> Codebook:
        theme = self.require(name)
        return self._swap(theme, replace(theme, cues=tuple(c for c in cues if c.strip())))

    def remove(self, name: str) -> tuple[Codebook, Theme]:
        theme = self.require(name)
        return Codebook([t for t in self.themes if t is not theme]), theme

    def to_list(self) -> list[dict[str, Any]]:
        return [t.to_dict() for t in self.themes]

    @classmethod
    def from_list(cls, items: list[dict[str, Any]]) -> Codebook:
        return cls([Theme.from_dict(item) for item in items])
