"""Bar charts drawn as SVG on the server: no chart library, nothing fetched by the browser.

Coordinates are printed with the `coordinate` filter (a dot whatever the
language: a French "16,0" would break the drawing); the values each bar
carries are formatted for the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    x: float
    y: float
    width: float
    height: float
    series: int = 0


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    baseline: int
    title: str

    @property
    def empty(self) -> bool:
        """Nothing to draw: the page says there is no data rather than showing a blank box."""
        return not any(bar.value for bar in self.bars)

    @property
    def label_every(self) -> int:
        """Label one bar in n so the labels of a long series do not overlap (about eight labels)."""
        return max(1, -(-len(self.bars) // 8))


def bar_chart(
    title: str,
    points: list[tuple[str, float]],
    *,
    series: int = 1,
    width: int = 640,
    height: int = 220,
    fmt=lambda value: number_format(value, 0, use_l10n=True, force_grouping=True),
) -> BarChart:
    """Bars for (label, value) points; with series > 1, consecutive points share a slot side by side."""
    top, bottom = 16, 40
    plot = height - top - bottom
    peak = max((value for _label, value in points), default=0) or 1
    slot = width / max(1, -(-len(points) // series))
    bar_width = slot * 0.8 / series
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot * max(value, 0) / peak
        x = (index // series) * slot + slot * 0.1 + (index % series) * bar_width
        bars.append(
            Bar(
                label,
                value,
                fmt(value),
                round(x, 1),
                round(top + plot - bar_height, 1),
                round(bar_width, 1),
                round(bar_height, 1),
                index % series,
            )
        )
    return BarChart(width=width, height=height, bars=bars, baseline=int(top + plot), title=title)
