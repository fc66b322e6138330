"""Every command of the CLI is documented in the README, with an example."""

from __future__ import annotations

import re
from pathlib import Path

from annotator.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


def test_every_command_has_a_section_and_an_example():
    text = README.read_text(encoding="utf-8")
    for name in _commands():
        assert f"### `annotator {name}`" in text, f"README lacks a section for `annotator {name}`"
        assert re.search(rf"^annotator {name}\b", text, re.M), (
            f"README lacks an example of `annotator {name}`"
        )


def test_readme_starts_with_the_installer_then_the_two_developer_commands():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    assert "pipx install ./annotator-" in blocks[0] and blocks[0].strip().endswith("annotator")
    assert "pip install ." in blocks[1] and blocks[1].strip().endswith("annotator")
    assert 'pip install ".[test]"' in blocks[2] and "pytest" in blocks[2]
