"""Colours: hex/RGB/HSL conversions, WCAG contrast, named colours, mixing."""

from __future__ import annotations

import colorsys
from typing import Any

from apis.rest.framework import ApiError, P, api, tool

T = tool(
    "color-tools",
    "Color Tools",
    "Media",
    "Colour conversions and accessibility checks for designers.",
)

NAMED = {
    "black": "000000",
    "white": "ffffff",
    "red": "ff0000",
    "lime": "00ff00",
    "blue": "0000ff",
    "yellow": "ffff00",
    "cyan": "00ffff",
    "magenta": "ff00ff",
    "silver": "c0c0c0",
    "gray": "808080",
    "maroon": "800000",
    "olive": "808000",
    "green": "008000",
    "purple": "800080",
    "teal": "008080",
    "navy": "000080",
    "orange": "ffa500",
    "pink": "ffc0cb",
    "brown": "a52a2a",
    "gold": "ffd700",
    "indigo": "4b0082",
    "violet": "ee82ee",
    "coral": "ff7f50",
    "salmon": "fa8072",
    "khaki": "f0e68c",
    "crimson": "dc143c",
    "turquoise": "40e0d0",
    "beige": "f5f5dc",
    "lavender": "e6e6fa",
    "chocolate": "d2691e",
}


def rgb(color: str) -> tuple[int, int, int]:
    c = color.strip().lower()
    c = NAMED.get(c, c).lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if len(c) != 6 or any(ch not in "0123456789abcdef" for ch in c):
        raise ApiError(400, f"'{color}' is not a hex colour or a known colour name")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def hexcode(r: int, g: int, b: int) -> str:
    return f"#{r:02x}{g:02x}{b:02x}"


@api(
    T,
    "Convert Color",
    "/convert",
    "A colour (hex like #1e90ff, short hex, or a CSS name) in hex, RGB and HSL.",
    P("color", "STRING", "Hex code or colour name", example="#1e90ff"),
)
def convert(color: str) -> dict[str, Any]:
    r, g, b = rgb(color)
    h, l_, s = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    name = next((n for n, v in NAMED.items() if v == hexcode(r, g, b)[1:]), None)
    return {
        "hex": hexcode(r, g, b),
        "rgb": [r, g, b],
        "hsl": [round(h * 360), round(s * 100), round(l_ * 100)],
        "name": name,
    }


def _lum(c: tuple[int, int, int]) -> float:
    def ch(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])


@api(
    T,
    "Contrast Ratio",
    "/contrast",
    "WCAG 2 contrast ratio between text and background colours, with AA/AAA verdicts.",
    P("foreground", "STRING", "Text colour", example="#777777"),
    P("background", "STRING", "Background colour", example="white"),
)
def contrast(foreground: str, background: str) -> dict[str, Any]:
    a, b = _lum(rgb(foreground)), _lum(rgb(background))
    ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
    return {
        "ratio": round(ratio, 2),
        "aa_normal": ratio >= 4.5,
        "aa_large": ratio >= 3,
        "aaa_normal": ratio >= 7,
    }


@api(
    T,
    "Mix Colors",
    "/mix",
    "Blend two colours; weight is the share of the first colour (0-1).",
    P("color_a", "STRING", "First colour", example="red"),
    P("color_b", "STRING", "Second colour", example="blue"),
    P(
        "weight",
        "NUMBER",
        "Share of the first colour, 0 to 1",
        required=False,
        default=0.5,
    ),
)
def mix(color_a: str, color_b: str, weight: float) -> dict[str, Any]:
    if not 0 <= weight <= 1:
        raise ApiError(400, "weight must be between 0 and 1")
    a, b = rgb(color_a), rgb(color_b)
    mixed = tuple(round(x * weight + y * (1 - weight)) for x, y in zip(a, b, strict=True))
    return {"hex": hexcode(*mixed), "rgb": list(mixed)}
