"""Build the wheel from a copy of this checkout and install it into a fresh venv, for the
packaging tests (the wheel alone, the bundle)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("annotator", "resources", "pyproject.toml", "README.md")


def build_wheel(out: Path) -> Path:
    """``pip wheel`` of a copy of the checkout (a stale ``build/`` here cannot leak into it)."""
    src = out / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(src), "-w", str(out)], cwd=out)
    (wheel,) = out.glob("annotator-*.whl")
    return wheel


def fresh_venv(path: Path, *requirements: str) -> Path:
    """A new venv at ``path`` with only ``requirements`` (and what they depend on); its bin."""
    run([sys.executable, "-m", "venv", str(path)], cwd=path.parent)
    bin_dir = path / ("Scripts" if os.name == "nt" else "bin")
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *requirements], cwd=path.parent)
    return bin_dir


def user_env(home: Path, bin_dir: Path | None = None) -> dict[str, str]:
    """A user's environment: no checkout on the path, a scratch home, no display needed."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.pop("ANNOTATOR_DB", None)
    env.update(
        ANNOTATOR_HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        QT_QPA_PLATFORM="offscreen",
    )
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    """Run ``cmd``; its standard output. A failure shows everything it printed."""
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout
