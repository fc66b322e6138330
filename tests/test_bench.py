"""The benchmark runs end to end at a tiny size, so it cannot rot.

No timing is asserted here: the targets live in the benchmark itself. This checks that every
row runs and reports numbers, in the printed table and in the JSON.
"""

from __future__ import annotations

import json
import math

import pytest

from annotator.cli import main

# Rows shown for information, without a target of their own.
INFORMATIONAL = {"export-tokens"}
ROWS = [
    "import",
    "suggest",
    "suggest-2p",
    "suggest-cluster",
    "export",
    "export-tokens",
    "merge-1",
    "merge-60",
    "open-500",
    "open-20000",
    "decide-500",
    "decide-20000",
    "decide-import",
    "agreement",
    "start",
    "scale-rss",
    "scale-scroll",
]


def _number(x) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


@pytest.mark.model
def test_every_row_runs_at_a_tiny_size(tmp_path, capsys):
    out = tmp_path / "bench.json"
    code = main(
        [
            "bench",
            "--articles", "20",
            "--repeat", "1",
            "--suggest-articles", "8",
            "--suggest-repeat", "1",
            "--agreement-articles", "20",
            "--list-articles", "300",
            "--decide-actions", "6",
            "--steps", "5",
            "--merge-articles", "40",
            "--busy-articles", "30",
            "--busy-interval-ms", "20",
            "--sizes",
            "--quiet",
            "--cache", str(tmp_path / "cache"),
            "--json", str(out),
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed

    data = json.loads(out.read_text(encoding="utf-8"))
    rows = {r["name"]: r for r in data["rows"]}
    assert list(rows) == ROWS
    for name, r in rows.items():
        assert r["error"] is None, (name, r["error"])
        assert _number(r["ours"]), name
        assert r["target"], name
        if name in INFORMATIONAL:
            assert r["target"] == "-" and r["passed"] is None, name
        else:
            assert isinstance(r["passed"], bool), name
        if name != "agreement":  # the only row without a baseline
            assert _number(r["baseline"]) and _number(r["ratio"]), name

    # The import row has a second baseline, the raw limit (parse + write, unindexed tables);
    # no other row has one.
    imp = rows["import"]
    assert _number(imp["raw"]) and _number(imp["raw_ratio"])
    assert imp["raw_ratio"] == pytest.approx(imp["ours"] / imp["raw"])
    assert imp["detail"]["times_raw"] == pytest.approx(
        imp["detail"]["seconds"] / imp["detail"]["raw_seconds"]
    )
    assert all(r["raw"] is None and r["raw_ratio"] is None for name, r in rows.items() if name != "import")

    agreement = rows["agreement"]["detail"]
    assert agreement["first_run_fills_cache"] == agreement["runs"][0]
    assert rows["suggest"]["detail"]["runs"] == rows["suggest-2p"]["detail"]["runs"] == 1

    table = printed.split("\n\n")[0].splitlines()
    header = [c.strip() for c in table[0].split(" | ")]
    assert header[0] == "row" and "raw" in header and header[-1] == "pass"
    assert [line.split(" | ")[0].strip() for line in table[2:]] == ROWS
    for line in table[2:]:
        cells = [c.strip() for c in line.split(" | ")]
        expected = ("-",) if cells[0] in INFORMATIONAL else ("yes", "NO")
        assert cells[1] != "-" and cells[-1] in expected, line
        raw = cells[header.index("raw")]
        assert (raw != "-") == (cells[0] == "import"), line

    _check_merge_and_busy(rows)

    growth = {g["row"]: g for g in data["growth"]}
    assert set(growth) == {
        "import", "export", "suggest", "open", "merge-1", "merge-1-import", "merge-60", "merge-60-import"
    }  # fmt: skip
    for g in growth.values():
        assert len(g["sizes"]) == len(g["seconds"]) >= 2
        assert all(_number(t) for t in g["seconds"]) and _number(g["exponent"])
    assert "growth:" in printed
    assert data["machine"]["cpus"] >= 1


def _check_merge_and_busy(rows: dict) -> None:
    """merge and the import it is measured against, at three sizes each, with the whole of the
    other annotator's work merged (the row checks the count); no action lost in the window."""
    for name in ("merge-1", "merge-60"):
        detail = rows[name]["detail"]
        assert detail["sizes"] == [10, 20, 40] and len(detail["merge_seconds"]) == 3, name
        assert detail["ratios"][-1] == pytest.approx(rows[name]["ratio"]), name
    busy = rows["decide-import"]["detail"]
    assert busy["actions"] >= 1 and busy["lost"] == {"accept": 0, "reject": 0, "next": 0}
    assert busy["articles_lost"] == 0
