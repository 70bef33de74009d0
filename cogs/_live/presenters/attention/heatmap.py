"""The attention heatmap: plain data in, PNG bytes out (matplotlib's Agg backend, no pyplot).

:func:`plot_data` turns the attention task's result into what is drawn (and what the tests
check: every row of the matrix, and the focus bars, sum to 1). :func:`render_png` draws it; it is
CPU work of a few hundred milliseconds, so callers run it in a thread (``asyncio.to_thread``),
never on the event loop. Figures are created with the object API (``Figure`` + ``FigureCanvasAgg``)
rather than pyplot, which keeps global state and is not safe to use from several threads.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from bot.inference.tiny import TINY_LABEL

log = logging.getLogger(__name__)

#: Pixels of the PNG: width × height, without and with the focus panel.
DPI = 100
SIZE = (1000, 900)
SIZE_WITH_FOCUS = (1000, 1350)
SPECIAL_COLOUR = "#c0392b"
FOCUS_COLOUR = "#e67e22"
BAR_COLOUR = "#2e86c1"
COLOUR_MAP = "viridis"

# matplotlib's font cache and text layout are shared: one figure is drawn at a time.
_DRAWING = threading.Lock()


class FocusNotFound(ValueError):
    """The focus word is not in the text."""


@dataclass(frozen=True)
class PlotData:
    """What the heatmap shows."""

    tokens: list[str]
    special: list[bool]
    matrix: list[list[float]]  # row i: how much token i attends to each token (sums to 1)
    title: str
    subtitle: str
    focus_word: str | None = None
    focus_indices: tuple[int, ...] = ()
    focus_row: list[float] | None = None  # the focus tokens' rows, averaged (sums to 1)

    @property
    def size(self) -> tuple[int, int]:
        """The PNG's (width, height) in pixels."""
        return SIZE_WITH_FOCUS if self.focus_row is not None else SIZE


def focus_span(text: str, word: str) -> tuple[int, int]:
    """The characters of the first whole-word occurrence of ``word`` in ``text`` (case-insensitive).

    A word that only occurs inside longer words is found there (first occurrence); a word not in
    the text raises :class:`FocusNotFound`.
    """
    wanted = word.strip()
    if not wanted:
        raise FocusNotFound("The focus word is empty.")
    escaped = re.escape(wanted)
    match = re.search(rf"(?<!\w){escaped}(?!\w)", text, re.IGNORECASE) or re.search(
        escaped, text, re.IGNORECASE
    )
    if match is None:
        raise FocusNotFound(
            f"The focus word {wanted[:50]!r} is not in the text: pick a word of the text, e.g. 'it'."
        )
    return match.start(), match.end()


def focus_indices(text: str, word: str, offsets: list[list[int]], special: list[bool]) -> tuple[int, ...]:
    """The tokens that make up ``word`` in ``text`` (a word split into sub-words gives several)."""
    start, end = focus_span(text, word)
    found = tuple(
        index
        for index, ((first, last), is_special) in enumerate(zip(offsets, special, strict=True))
        if not is_special and last > first and first < end and last > start
    )
    if not found:
        raise FocusNotFound(f"The focus word {word.strip()[:50]!r} has no token of its own in this model.")
    return found


def head_label(head: int | None, heads: int) -> str:
    return f"head {head}/{heads}" if head is not None else f"average of {heads} heads"


def plot_data(
    result: dict[str, Any], text: str, model: str, *, focus: str | None = None, tiny: bool = False
) -> PlotData:
    """The heatmap's data from one attention result (raises :class:`FocusNotFound`)."""
    layer, layers = result["layer"], result["num_layers"]
    title = f"{model} · layer {layer}/{layers} · {head_label(result['head'], result['num_heads'])}"
    subtitle = "row: the token attending · column: the token attended to · each row sums to 1"
    if tiny:
        subtitle += f" · {TINY_LABEL}"
    matrix = [list(row) for row in result["attention"]]
    if not focus:
        return PlotData(result["tokens"], result["special"], matrix, title, subtitle)
    indices = focus_indices(text, focus, result["offsets"], result["special"])
    focus_row = [sum(matrix[i][column] for i in indices) / len(indices) for column in range(len(matrix))]
    return PlotData(
        result["tokens"], result["special"], matrix, title, subtitle, focus.strip(), indices, focus_row
    )


def top_attended(data: PlotData, count: int = 3) -> list[tuple[int, str, float]]:
    """(column, token, weight) of the tokens the focus word attends to most, best first."""
    row = data.focus_row
    if row is None:
        return []
    ranked = sorted(range(len(row)), key=lambda column: (-row[column], column))
    return [(column, data.tokens[column], row[column]) for column in ranked[:count]]


def _label(token: str) -> str:
    """A token as a tick label: matplotlib would read ``$…$`` as math."""
    return token.replace("$", r"\$") or "␣"


def _font_size(count: int) -> float:
    if count <= 16:
        return 11
    if count <= 32:
        return 8.5
    return 5.5


def _style_ticks(labels: list[Any], special: list[bool], focus: tuple[int, ...]) -> None:
    for label, is_special in zip(labels, special, strict=True):
        if is_special:
            label.set_color(SPECIAL_COLOUR)
            label.set_fontstyle("italic")
    for index in focus:
        labels[index].set_color(FOCUS_COLOUR)
        labels[index].set_fontweight("bold")


def render_png(data: PlotData) -> bytes:
    """Draw the heatmap (and the focus bars) and return the PNG file's bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    count = len(data.tokens)
    width, height = data.size
    labels = [_label(token) for token in data.tokens]
    size = _font_size(count)
    with _DRAWING:
        figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        if data.focus_row is not None:
            grid = figure.add_gridspec(2, 1, height_ratios=(2.1, 1))
            heat, bars = figure.add_subplot(grid[0]), figure.add_subplot(grid[1])
        else:
            heat, bars = figure.add_subplot(1, 1, 1), None
        image = heat.imshow(data.matrix, cmap=COLOUR_MAP, vmin=0.0, aspect="auto", interpolation="nearest")
        colour_bar = figure.colorbar(image, ax=heat, fraction=0.04, pad=0.01)
        colour_bar.set_label("attention weight")
        heat.set_xticks(range(count), labels, rotation=90, fontsize=size)
        heat.set_yticks(range(count), labels, fontsize=size)
        _style_ticks(heat.get_xticklabels(), data.special, data.focus_indices)
        _style_ticks(heat.get_yticklabels(), data.special, data.focus_indices)
        heat.set_xlabel("attended to (keys)")
        heat.set_ylabel("attending (queries)")
        heat.set_title(f"{data.title}\n{data.subtitle}", fontsize=11)
        for index in data.focus_indices:
            heat.add_patch(
                Rectangle((-0.5, index - 0.5), count, 1, fill=False, edgecolor=FOCUS_COLOUR, linewidth=2)
            )
        if bars is not None and data.focus_row is not None:
            colours = [FOCUS_COLOUR if i in data.focus_indices else BAR_COLOUR for i in range(count)]
            bars.bar(range(count), data.focus_row, color=colours)
            bars.set_xticks(range(count), labels, rotation=90, fontsize=size)
            _style_ticks(bars.get_xticklabels(), data.special, data.focus_indices)
            bars.set_xlim(-0.5, count - 0.5)
            bars.set_ylim(0, max(max(data.focus_row), 1e-6) * 1.15)
            bars.set_ylabel("attention weight")
            bars.set_title(f"What {data.focus_word!r} attends to (its row of the map)", fontsize=11)
            for column, _token, weight in top_attended(data):
                bars.annotate(
                    f"{weight:.0%}",
                    (column, weight),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
