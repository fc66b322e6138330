"""The house rules: no module over 600 lines, no function over 80 (the argument parser aside)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600
MAX_FUNCTION = 80
# The CLI's parser is a flat table of commands and options: long, but one thing.
EXEMPT = {("annotator/cli.py", "build_parser")}


def _sources():
    for folder in ("annotator", "tests"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_no_module_is_over_600_lines():
    long = [f"{p.relative_to(ROOT)}: {n}" for p in _sources() if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_LINES]
    assert long == []


def test_no_function_is_over_80_lines():
    long = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (rel, node.name) not in EXEMPT:
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION:
                    long.append(f"{rel}:{node.lineno} {node.name} ({n} lines)")
    assert long == []


def test_the_import_graph_has_no_cycle_between_modules():
    import grimp

    graph = grimp.build_graph("annotator")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(imported, module, as_packages=False) and module != imported:
                cycles.append((module, imported))
    assert cycles == []
