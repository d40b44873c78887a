"""Colours derived from the palette, so tints read in light and dark themes alike."""

from __future__ import annotations

from PySide6.QtGui import QColor


def blend(top: QColor, bottom: QColor, alpha: float) -> QColor:
    """`top` laid over `bottom` at `alpha`: palette-derived tints for light and dark themes."""
    return QColor.fromRgbF(
        top.redF() * alpha + bottom.redF() * (1 - alpha),
        top.greenF() * alpha + bottom.greenF() * (1 - alpha),
        top.blueF() * alpha + bottom.blueF() * (1 - alpha),
    )


def _luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def readable(color: QColor, background: QColor, fallback: QColor) -> QColor:
    """`color` if it contrasts enough with `background` (a dark palette may keep a dark Link)."""
    hi, lo = sorted((_luminance(color), _luminance(background)), reverse=True)
    return color if (hi + 0.05) / (lo + 0.05) >= 3.0 else fallback
