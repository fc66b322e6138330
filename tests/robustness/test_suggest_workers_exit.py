"""`annotator suggest --processes N`: no worker outlives its parent, and SIGTERM cancels cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from _helpers import PYTHON, child_env

from annotator.store import Store

pytestmark = [pytest.mark.model, pytest.mark.slow]

TEXT = (
    "The minister said trade talks with Berlin and Paris stalled over tariffs on steel, while "
    "police arrested protesters outside parliament and the central bank raised interest rates. "
)


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, IndexError):
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _start(tmp_path) -> tuple[subprocess.Popen, list[int]]:
    db = tmp_path / "many.db"
    with Store(db) as store:
        store.add_articles([f"{TEXT * 40} ({i})" for i in range(400)])
    proc = subprocess.Popen(
        [PYTHON, "-m", "annotator", "suggest", "--db", str(db), "--processes", "2"],
        env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = [c for c in _children(proc.pid) if "annotator" in Path(f"/proc/{c}/cmdline").read_text()]
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    assert len(workers) >= 2, proc.communicate(timeout=60)
    time.sleep(0.5)  # the workers are busy suggesting
    return proc, workers


def _gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def test_workers_end_within_two_seconds_of_a_killed_parent(tmp_path):
    proc, workers = _start(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    survivors = [p for p in workers if _alive(p)]
    try:
        assert _gone_within(workers, 2.0), f"workers {survivors} outlived their parent"
    finally:
        for p in workers:
            if _alive(p):
                os.kill(p, signal.SIGKILL)


def test_sigterm_cancels_like_ctrl_c(tmp_path):
    proc, workers = _start(tmp_path)
    os.kill(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "cancelled" in err and "Traceback" not in err
    assert _gone_within(workers, 2.0)
