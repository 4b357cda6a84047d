"""What the summary screens and the position page show of a summary, including its charts.

Charts are drawn as server-side SVG by a template macro from the figures here (bars as numbers, never
markup), and every chart comes with the same figures as a table for screen readers."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.aspirations.summaries import citing, services
from portal.aspirations.summaries.models import Summary, SummaryTheme
from portal.positions import history as position_history

GROUP_LABELS = {
    "citizen": _l("Citizen (warga)"),
    "ngo": _l("NGO (LSM)"),
    "academic": _l("Academic (akademisi)"),
    "official": _l("Official"),
}
STANCE_LABELS = {
    "supports": _l("Supports"),
    "objects": _l("Objects"),
    "suggests_change": _l("Suggests a change"),
    "none": _l("No stance given"),
}
CHART_WIDTH = 100.0  # bar lengths are percentages of the longest bar, so the SVG scales with the page


@dataclass
class Segment:
    key: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class Bar:
    label: str
    total: int
    segments: list[Segment]


@dataclass
class Chart:
    title: str
    keys: list[tuple[str, str]]  # (key, label) in legend order
    bars: list[Bar]

    @property
    def height(self) -> int:
        return 20 * len(self.bars) + 8


def chart(title: str, themes: list[SummaryTheme], dimension: str, labels: dict) -> Chart:
    """A stacked horizontal bar per theme, split by `dimension` ("group" or "stance")."""
    seen = [key for key in labels if any((theme.breakdown or {}).get(dimension, {}).get(key) for theme in themes)]
    longest = max((theme.size for theme in themes), default=0) or 1
    bars = []
    for theme in themes:
        counts = (theme.breakdown or {}).get(dimension, {})
        x, segments = 0.0, []
        for key in seen:
            count = int(counts.get(key, 0))
            if count:
                width = CHART_WIDTH * count / longest
                segments.append(Segment(key, str(labels[key]), count, round(x, 2), round(width, 2)))
                x += width
        bars.append(Bar(theme.label, theme.size, segments))
    return Chart(title, [(key, str(labels[key])) for key in seen], bars)


@dataclass
class SummaryView:
    """A summary as a page shows it: its themes (kept ones, then other), quotes and charts."""

    summary: Summary
    themes: list[SummaryTheme]
    other: SummaryTheme | None
    quotes: dict
    charts: list[Chart] = field(default_factory=list)
    citations: dict = field(default_factory=dict)  # theme id -> record changes citing it


def summary_view(summary: Summary) -> SummaryView:
    themes = summary.kept_themes
    other = next((theme for theme in summary.themes if theme.is_other and theme.size), None)
    shown = themes + ([other] if other else [])
    return SummaryView(
        summary=summary,
        themes=themes,
        other=other,
        quotes=services.quotes_of(shown),
        charts=[
            chart(str(_l("Contributions per theme, by stakeholder group")), shown, "group", GROUP_LABELS),
            chart(str(_l("Contributions per theme, by stance")), shown, "stance", STANCE_LABELS),
        ],
    )


@dataclass
class PositionAspirations:
    """The aspirations part of a position page: the latest published summary, the earlier ones, and
    the record's field-level history with the themes each change cites."""

    latest: SummaryView | None
    earlier: list[Summary]
    history: list
    history_total: int
    citations: dict
    field_labels: dict = field(default_factory=lambda: dict(position_history.FIELD_LABELS))


def position_aspirations(position) -> PositionAspirations:
    published = services.summaries_of(position=position, limit=11)
    changes, total = position_history.history(position)
    return PositionAspirations(
        latest=summary_view(published[0]) if published else None,
        earlier=published[1:],
        history=changes,
        history_total=total,
        citations=citing.citations_for([change.id for change in changes]),
    )
