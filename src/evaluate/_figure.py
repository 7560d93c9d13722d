"""Drawing a `Timeline` with matplotlib's Agg canvas: no display, no pyplot global state.

Kept apart from `timeline` so that importing `src.evaluate` does not import matplotlib (about
half a second); only drawing a figure pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import ColorType, LineStyleType

from ..files import atomic_path
from .timeline import CPU_SLO_PERCENT, P99_SLO_MS, Mark, Panel, Point, Timeline


@dataclass(frozen=True)
class _Style:
    colour: str
    dashes: LineStyleType
    width: float

    def legend(self, label: str) -> Line2D:
        return Line2D([], [], color=self.colour, linestyle=self.dashes, linewidth=self.width, label=label)


LINES = {
    "injection": _Style("tab:red", "-", 1.6),
    "task": _Style("tab:blue", "--", 1.4),
    "evaluation": _Style("tab:green", "-.", 1.4),
}
ACTION = _Style("0.25", "-", 0.8)
ACTION_TICK = 0.08
"""Height of an agent-action tick, as a share of the panel."""
SLO_LINE = _Style("tab:red", ":", 1.2)
FIGURE_SIZE = (11.0, 8.0)
DPI = 110


def _with_gaps(points: Sequence[Point], step: float) -> tuple[list[float], list[float]]:
    """x and y, with a NaN wherever samples are missing, so no line is drawn across a gap."""
    xs: list[float] = []
    ys: list[float] = []
    for at, value in points:
        if xs and at - xs[-1] > 1.5 * step:
            xs.append(xs[-1] + step)
            ys.append(float("nan"))
        xs.append(at)
        ys.append(value)
    return xs, ys


def _colour(index: int, count: int) -> ColorType:
    """The default cycle's ten colours, or tab20's twenty for all of Sock Shop's fourteen deployments."""
    return f"C{index}" if count <= 10 else colormaps["tab20"](index % 20)


def _draw_panel(axes: Axes, panel: Panel, colours: dict[str, ColorType], step: float) -> None:
    for component, points in panel.series.items():
        xs, ys = _with_gaps(points, step)
        axes.plot(xs, ys, color=colours[component], drawstyle="steps-post" if panel.name == "ready" else "default")
    if panel.slo is not None:
        axes.axhline(panel.slo, color=SLO_LINE.colour, linestyle=SLO_LINE.dashes, linewidth=SLO_LINE.width)
    missing = [component for component, points in panel.series.items() if not points]
    if panel.empty:
        axes.text(0.5, 0.5, "no samples", transform=axes.transAxes, ha="center", va="center", color="0.4")
    elif missing:
        note = f"no samples for {', '.join(missing)}"
        axes.text(0.01, 0.97, note, transform=axes.transAxes, ha="left", va="top", fontsize=8, color="0.4")
    axes.set_ylabel(panel.ylabel)
    axes.set_ylim(bottom=0)
    if panel.name == "ready":
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(top=max([value for points in panel.series.values() for _, value in points] or [1]) + 1)
    axes.grid(True, alpha=0.3)


def _draw_marks(axes: Axes, marks: Sequence[Mark], origin: float, *, labelled: bool) -> None:
    for mark in marks:
        x = mark.at.timestamp() - origin
        if mark.kind == "action":
            axes.vlines(
                x, 0, ACTION_TICK, transform=axes.get_xaxis_transform(), colors=ACTION.colour, linewidth=ACTION.width
            )
            continue
        style = LINES[mark.kind]
        axes.axvline(x, color=style.colour, linestyle=style.dashes, linewidth=style.width)
        if labelled:
            axes.text(x, 1.02, mark.label, transform=axes.get_xaxis_transform(), rotation=30, fontsize=8, ha="left")


def _legend(figure: Figure, colours: dict[str, ColorType], timeline: Timeline) -> None:
    handles = [Line2D([], [], color=colour, label=component) for component, colour in colours.items()]
    handles.append(SLO_LINE.legend(f"SLO ({P99_SLO_MS:g} ms, {CPU_SLO_PERCENT:g} %)"))
    kinds = {mark.kind for mark in timeline.marks}
    handles += [style.legend(kind) for kind, style in LINES.items() if kind in kinds]
    actions = sum(1 for mark in timeline.marks if mark.kind == "action")
    if actions:
        handles.append(ACTION.legend(f"agent action ({actions})"))
    figure.legend(handles=handles, loc="outside right upper", fontsize=9)


def render(timeline: Timeline, namespace: str) -> None:
    """Write `timeline.path` as a PNG: the panels stacked over a shared axis of seconds since the start."""
    components = list(timeline.panels[0].series)
    colours = {component: _colour(index, len(components)) for index, component in enumerate(components)}
    figure = Figure(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes_list = figure.subplots(len(timeline.panels), 1, sharex=True, squeeze=False)[:, 0]
    origin = timeline.start.timestamp()
    for index, (axes, panel) in enumerate(zip(axes_list, timeline.panels, strict=True)):
        _draw_panel(axes, panel, colours, timeline.step)
        _draw_marks(axes, timeline.marks, origin, labelled=index == 0)
    duration = (timeline.end - timeline.start).total_seconds()
    axes_list[-1].set_xlim(0, duration)
    axes_list[-1].set_xlabel(f"seconds since {timeline.start:%Y-%m-%d %H:%M:%S %Z}")
    figure.suptitle(f"{namespace}: {duration:.0f} s, one point every {timeline.step:g} s")
    _legend(figure, colours, timeline)
    with atomic_path(timeline.path) as temporary:
        figure.savefig(temporary, format="png")
