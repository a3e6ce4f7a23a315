"""Highlight colours that stay distinct after the terminal's colour downgrade.

A theme's highlight is its colour blended over the reader's background. In truecolor
that blend is drawn as is; at 256 and 16 colours Rich rounds it to the nearest palette
entry, and dark blends of different hues collapse onto the same few entries (xterm 23
for blue, teal and the selection). So at 256 and 16 colours each theme gets a palette
entry of its own: the entry nearest (CIEDE2000) to its ideal blend that is at least
`MIN_DELTA_E` from every entry already given out, from the background and from the
reserved interface colours (selection, caret, list cursor), and readable under text.

`MIN_DELTA_E` is 10: ΔE00 ≈ 2.3 is a just-noticeable difference between large patches
side by side; a highlight is recognised across the screen, apart from the colour it is
compared with, where colour-naming studies put "clearly another colour" near 10. Where
a palette runs out (16 colours hold about ten usable backgrounds), the margin's theme
names and brackets carry the distinction; colour is never the only channel.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from rich._palettes import EIGHT_BIT_PALETTE, STANDARD_PALETTE
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.palette import Palette

RGB = tuple[int, int, int]

MIN_DELTA_E = 10.0
# Share of the theme colour in a truecolor highlight: strong enough to name the colour
# at a glance, weak enough that light text keeps a 4.5:1 contrast on it.
TINT = 0.5

# Interface colours the highlights must never be confused with. Each is exact in the
# 256-colour cube, so it is drawn the same at 256 colours and in truecolor.
SELECTION_BG = "#bcbcbc"  # xterm 250, 16 colours: white (7); black text on it
SELECTION_FG = "#000000"
CARET_BG = "#ffffff"  # xterm 231, 16 colours: bright white (15)
CARET_FG = "#000000"
LIST_CURSOR_BG = "#005fd7"  # xterm 26, 16 colours: bright blue (12)
LIST_CURSOR_FG = "#ffffff"
RESERVED = (SELECTION_BG, CARET_BG, LIST_CURSOR_BG)

SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT}
SYSTEMS["standard"] = ColorSystem.STANDARD


# -- colour science ----------------------------------------------------------------------


def hex_rgb(color: str) -> RGB:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def rgb_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


@lru_cache(maxsize=4096)
def lab(rgb: RGB) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(c1: RGB, c2: RGB) -> float:
    """CIEDE2000 colour difference of two sRGB colours."""
    return delta_e_lab(lab(c1), lab(c2))


def delta_e_lab(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 (Sharma, Wu and Dalal 2005) between two L*a*b* colours."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    cbar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(cbar**7 / (cbar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hbp = (h1p + h2p + 360) / 2
    else:
        hbp = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hbp - 30))
        + 0.24 * math.cos(math.radians(2 * hbp))
        + 0.32 * math.cos(math.radians(3 * hbp + 6))
        - 0.20 * math.cos(math.radians(4 * hbp - 63))
    )
    dtheta = 30 * math.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cbp**7 / (cbp**7 + 25**7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / math.sqrt(20 + (lbp - 50) ** 2)
    sc = 1 + 0.045 * cbp
    sh = 1 + 0.015 * cbp * t
    rt = -math.sin(math.radians(2 * dtheta)) * rc
    return math.sqrt(
        (dlp / sl) ** 2 + (dcp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dcp / sc) * (dHp / sh)
    )


def _luminance(rgb: RGB) -> float:
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(c1: RGB, c2: RGB) -> float:
    """WCAG contrast ratio (1-21)."""
    a, b = sorted((_luminance(c1), _luminance(c2)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def blend(base: RGB, over: RGB, share: float) -> RGB:
    return tuple(round(b + (o - b) * share) for b, o in zip(base, over, strict=True))  # type: ignore[return-value]


# -- what the terminal draws -------------------------------------------------------------


def drawn(rgb: RGB, system: str) -> RGB:
    """The colour a terminal shows for `rgb` after Rich downgrades it to `system`."""
    color = RichColor.from_rgb(*rgb).downgrade(SYSTEMS[system])
    if color.number is None:
        return rgb
    palette: Palette = STANDARD_PALETTE if system == "standard" else EIGHT_BIT_PALETTE
    return tuple(palette[color.number])  # type: ignore[return-value]


def _palette(system: str) -> list[RGB]:
    if system == "256":
        return [tuple(EIGHT_BIT_PALETTE[i]) for i in range(16, 256)]  # type: ignore[misc]
    return [tuple(STANDARD_PALETTE[i]) for i in range(16)]  # type: ignore[misc]


def text_on(bg: RGB, fg: RGB, system: str = "truecolor") -> RGB:
    """The text colour to draw on `bg`: the theme's own if readable (as `system` draws
    it), else black or white."""
    if contrast(drawn(bg, system), drawn(fg, system)) >= 4.5:
        return fg
    return max(((0, 0, 0), (255, 255, 255)), key=lambda c: contrast(bg, c))


@lru_cache(maxsize=64)
def assign_tints(
    colors: tuple[str, ...], background: str, foreground: str, system: str
) -> tuple[tuple[RGB, RGB], ...]:
    """(background, text) per theme colour, in order, for one colour system.

    Truecolor: the blend itself. 256/16: a palette entry per theme, nearest its blend,
    kept `MIN_DELTA_E` from the others where the palette allows (see the module doc).
    """
    bg = hex_rgb(background)
    fg = hex_rgb(foreground)
    ideals = [blend(bg, hex_rgb(c), TINT) for c in colors]
    taken = [drawn(bg, system)] + [drawn(hex_rgb(c), system) for c in RESERVED]
    # Readable: some text colour reaches 4.5:1 on it. Truecolor may use any colour, but
    # tries the exact blend first and falls back to the 256 cube when it is too close.
    palette = _palette("256" if system == "truecolor" else system)
    candidates = [c for c in palette if contrast(c, text_on(c, fg, system)) >= 4.5]
    out: list[tuple[RGB, RGB]] = []
    for ideal in ideals:
        ranked = sorted(candidates, key=lambda c, i=ideal: delta_e(c, i))
        if system == "truecolor":
            ranked.insert(0, ideal)
        pick = next(
            (c for c in ranked if all(delta_e(c, t) >= MIN_DELTA_E for t in taken)),
            ranked[0] if ranked else drawn(ideal, system),
        )
        taken.append(pick)
        out.append((pick, text_on(pick, fg, system)))
    return tuple(out)


def min_pairwise(colors: Iterable[RGB]) -> tuple[float, RGB, RGB]:
    """The closest pair (ΔE00) among `colors`."""
    items = list(colors)
    best: tuple[float, RGB, RGB] = (math.inf, (0, 0, 0), (0, 0, 0))
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            d = delta_e(a, b)
            if d < best[0]:
                best = (d, a, b)
    return best


def system_of(name: str | None) -> str:
    """Our name for a Rich console's `color_system` ("truecolor", "256", "standard")."""
    if name in ("256", "eight_bit"):
        return "256"
    if name in ("standard", "windows"):
        return "standard"
    return "truecolor"
