"""The report: the table, the growth lines, the machine, and the JSON written with ``--json``."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from annotator.bench.timing import Row

# Columns of the table; the others are right-aligned numbers.
HEADER = ("row", "ours", "baseline", "raw", "unit", "ratio", "raw ratio", "target", "pass")
_LEFT = {"row", "unit", "target"}


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def _cells(r: Row) -> list[str]:
    passed = "error" if r.error else ("yes" if r.passed else "NO" if r.passed is not None else "-")
    return [
        r.name,
        _fmt(r.ours),
        _fmt(r.baseline),
        _fmt(r.raw),
        r.unit,
        _fmt(r.ratio),
        _fmt(r.raw_ratio),
        r.target,
        passed,
    ]


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a text table: ours, the baseline, the raw limit (import), ratios, target, pass."""
    lines = [_cells(r) for r in rows]
    widths = [
        max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(HEADER)
    ]
    out = [" | ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True))]
    out.append("-|-".join("-" * w for w in widths))
    for line in lines:
        out.append(
            " | ".join(
                c.ljust(w) if h in _LEFT else c.rjust(w) for h, c, w in zip(HEADER, line, widths, strict=True)
            )
        )
    return "\n".join(out)


def format_growth(growth: Sequence[dict]) -> str:
    """One line per row measured at three sizes: the seconds per size and the marginal cost."""
    out = []
    for g in growth:
        per = ", ".join(
            f"{s:,} {g['unit']}: {_fmt(t)} s" for s, t in zip(g["sizes"], g["seconds"], strict=True)
        )
        marg = ", ".join(f"{_fmt(x)}" for x in g["marginal_us"])
        out.append(f"{g['row']:<8} {per}; marginal us/{g['unit'][:-1]}: {marg} ({g['shape']})")
    return "\n".join(out)


def machine() -> dict:
    """CPUs, processor, memory, Python and the load average of the machine the run was on."""
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["processor"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    with contextlib.suppress(OSError):
        info["load_average"] = os.getloadavg()
    return info


def result(args: argparse.Namespace, rows: Sequence[Row], growth: list[dict], seconds: float) -> dict:
    """Everything the run measured, as JSON-ready data."""
    return {
        "machine": machine(),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "seconds": seconds,
        "rows": [asdict(r) for r in rows],
        "growth": growth,
    }


def print_report(args: argparse.Namespace, rows: Sequence[Row], data: dict, only: set[str]) -> None:
    """Print the table, the growth lines and the machine; write ``data`` when ``--json`` asks."""
    print(format_table(rows))
    if data["growth"]:
        print()
        print("growth:")
        print(format_growth([g for g in data["growth"] if "error" not in g]))
    m = data["machine"]
    print(
        f"\n{m['cpus']} CPUs ({m['processor']}), {m.get('memory_gb', '?')} GB, Python {m['python']};"
        f" {data['seconds']:.0f} s; medians of {args.repeat} runs"
        + (
            f" (suggest: {args.suggest_repeat})"
            if args.suggest_repeat != args.repeat and "suggest" in only
            else ""
        )
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
        print(f"wrote {args.json}")
