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
    by: str = "role"  # what each bar is: the table's first column is headed with it

    @property
    def description(self) -> str:
        parts = [f"{b.label}: {b.value} ({b.share}%)" for b in self.bars]
        return f"{self.title}, by {self.by}. " + "; ".join(parts) + "."


def shares(values: list[int]) -> list[int]:
    """Whole percentages of the total that add up to 100 (largest remainders get
    the points that rounding each alone would lose): a table whose rows said 25%
    and six times 12% under a total of 100% read as a mistake."""
    total = sum(values)
    if not total:
        return [0] * len(values)
    exact = [100 * v / total for v in values]
    out = [int(x) for x in exact]
    by_remainder = sorted(range(len(values)), key=lambda i: (out[i] - exact[i], i))
    for i in by_remainder[: 100 - sum(out)]:
        out[i] += 1
    return out


def bar_chart(key: str, title: str, items: list[tuple[str, int]], *, by: str = "role") -> Chart:
    """A horizontal bar per item, scaled to the largest."""
    values = [v for _l, v in items]
    total, top = sum(values), max(values, default=0)
    bars = [
        Bar(
            label,
            value,
            share,
            round(BAR_AREA * value / top, 1) if top else 0,
            8 + n * ROW_HEIGHT,
        )
        for n, ((label, value), share) in enumerate(zip(items, shares(values), strict=True))
    ]
    return Chart(key, title, bars, 16 + len(items) * ROW_HEIGHT, total, by)


def participation_charts(report) -> list[Chart]:
    from server.participation.figures import METRICS

    return [
        bar_chart(metric, title, [(r.label, r.get(metric)) for r in report.rows])
        for metric, title in METRICS.items()
    ]
