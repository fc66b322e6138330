"""Growth (``--sizes``): how the cost of a row grows over three sizes."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from annotator.bench.commands import CommandRows
from annotator.bench.context import Bench
from annotator.bench.timing import interleaved, median

if TYPE_CHECKING:
    from annotator.bench.window import WindowRows


def _exponent(sizes: Sequence[float], times: Sequence[float]) -> float:
    """Least-squares slope of log(time) over log(size): 1 is linear."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def growth_line(name: str, unit: str, sizes: list[int], times: list[float]) -> dict:
    """How the cost grows: the marginal cost per unit between successive sizes.

    A command has a fixed cost (interpreter start, imports, loading a model), so the raw
    exponent reads sub-linear; growth is linear when the marginal cost per unit stays the same
    (the last step within 1.5x of the first), super-linear when it rises beyond that.
    """
    marginal = [(times[i + 1] - times[i]) / (sizes[i + 1] - sizes[i]) for i in range(len(sizes) - 1)]
    rise = marginal[-1] / marginal[0] if len(marginal) > 1 and marginal[0] > 0 else 1.0
    return {
        "row": name,
        "unit": unit,
        "sizes": sizes,
        "seconds": times,
        "per_unit_us": [t / s * 1e6 for s, t in zip(sizes, times, strict=True)],
        "marginal_us": [x * 1e6 for x in marginal],
        "exponent": _exponent(sizes, times),
        "marginal_rise": rise,
        "linear": rise <= 1.5,
        "shape": "linear" if rise <= 1.5 else "super-linear",
    }


def measure_growth(bench: Bench, rows: CommandRows, only: set[str], window: WindowRows | None) -> list[dict]:
    """How the time of import, export, suggest and open grows over three sizes (``--sizes``)."""
    out = []
    n, k = bench.args.articles, bench.args.repeat
    sizes = sorted({max(n // 4, 1), max(n // 2, 1), n})

    def medians(once: Callable[[int], float], sizes: list[int]) -> list[float]:
        # Every size in each round (see timing.interleaved): a drift of the machine's speed between
        # sizes would read as a change of growth.
        return [median(ts) for ts in interleaved(*(partial(once, s) for s in sizes), repeat=k)]

    if "import" in only:
        out.append(growth_line("import", "articles", sizes, medians(rows.import_once, sizes)))
    if "export" in only:
        out.append(growth_line("export", "articles", sizes, medians(rows.export_once, sizes)))
    if "suggest" in only:
        s_max = min(n, bench.args.suggest_articles)
        s_sizes = sorted({max(s_max // 4, 1), max(s_max // 2, 1), s_max})
        out.append(growth_line("suggest", "articles", s_sizes, medians(rows.suggest_once, s_sizes)))
    if "open" in only and window is not None:
        w_sizes = [500, 5000, 20_000]
        times = [window.measure_open(w, max(k, 5))[0] for w in w_sizes]
        out.append(growth_line("open", "words", w_sizes, times))
    return out
