"""Bar charts drawn as SVG on the server (templates/coproduction/_chart.html): no
script, no chart library, nothing from another host. Each chart has a title and
a description for screen readers, and its numbers sit in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 170  # room for the longest role name
BAR_AREA = 220
ROW_HEIGHT = 34


@dataclass
class Bar:
    label: str
    value: int
    share: int  # percent of the total
    width: float  # in the SVG's units
    y: int


@dataclass
class Chart:
    key: str
    title: str
    bars: list[Bar]
    height: int
    total: int

    @property
    def description(self) -> str:
        parts = [f"{b.label}: {b.value} ({b.share}%)" for b in self.bars]
        return f"{self.title}, by role. " + "; ".join(parts) + "."


def bar_chart(key: str, title: str, items: list[tuple[str, int]]) -> Chart:
    """A horizontal bar per item, scaled to the largest."""
    total = sum(v for _l, v in items)
    top = max((v for _l, v in items), default=0)
    bars = [
        Bar(
            label,
            value,
            round(100 * value / total) if total else 0,
            round(BAR_AREA * value / top, 1) if top else 0,
            8 + n * ROW_HEIGHT,
        )
        for n, (label, value) in enumerate(items)
    ]
    return Chart(key, title, bars, 16 + len(items) * ROW_HEIGHT, total)


def participation_charts(report) -> list[Chart]:
    from server.participation.figures import METRICS

    return [
        bar_chart(metric, title, [(r.label, r.get(metric)) for r in report.rows])
        for metric, title in METRICS.items()
    ]
