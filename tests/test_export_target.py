"""Where an export lands: plain messages naming the path given, and no temporary file left behind.

A missing folder, a full disk (a test double here; a real 16 kB tmpfs when the test may mount
one in a private namespace), SIGTERM in the middle of an export, and the temporary file a
SIGKILL leaves, which the next export to the same path removes.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator import export_target, ops
from annotator.bench.corpus import write_corpus
from annotator.cli import main
from annotator.errors import OutputError
from annotator.store import Store

REPO = Path(__file__).resolve().parents[1]
FORMATS = ["prodigy", "spacy", "labelstudio", "conll", "ledger"]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.fixture(scope="module")
def news_db(tmp_path_factory) -> Path:
    """A database of 600 news-like articles of 500 words, with about 60 spans each."""
    folder = tmp_path_factory.mktemp("news")
    corpus = folder / "news.jsonl"
    write_corpus(corpus, 600)
    db = folder / "news.db"
    with Store(db) as store:
        ops.ensure_default_labels(store)
        (res,) = ops.import_paths(store, [corpus], annotator="ann")
        assert res.ok, res.error
    return db


def _export(capsys, db: Path, fmt: str, out: Path) -> tuple[int, str]:
    code = main(["export", "--db", str(db), "--format", fmt, "-o", str(out)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("fmt", [*FORMATS, "brat"])
def test_an_export_into_a_missing_folder_names_the_folder(news_db, tmp_path, capsys, fmt):
    out = tmp_path / "nowhere" / "news.out"
    code, err = _export(capsys, news_db, fmt, out)
    if fmt == "brat":  # a folder export makes the folders above it, as before
        assert code == 0 and (out / "annotation.conf").is_file(), err
        return
    assert code == 1
    assert err == (
        f"annotator: error: cannot write {out}: the folder {out.parent} does not exist"
        " (create it first, or choose another folder)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_an_export_onto_a_folder_says_it_is_a_folder(news_db, tmp_path, capsys):
    code, err = _export(capsys, news_db, "prodigy", tmp_path)
    assert (
        code == 1
        and err == f"annotator: error: cannot write {tmp_path}: it is a folder (give the name of a file)\n"
    )


class _FillingDisk(io.BufferedWriter):
    """A file on a disk with ``room`` bytes left: a write beyond them fails as the system would."""

    room = 20_000

    def write(self, data) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


def _open_on_full_disk(path, mode="r", encoding=None, newline=None):
    raw = io.FileIO(path, "w")
    buffered = _FillingDisk(raw, buffer_size=4096)
    if "b" in mode:
        return buffered
    return io.TextIOWrapper(buffered, encoding=encoding, newline=newline)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "ledger"])  # no decisions: an empty ledger
def test_a_full_disk_names_the_path_given_and_leaves_nothing(news_db, tmp_path, capsys, monkeypatch, fmt):
    monkeypatch.setattr(export_target, "open", _open_on_full_disk, raising=False)
    out = tmp_path / "news.out"
    code, err = _export(capsys, news_db, fmt, out)
    assert code == 1
    assert err == (
        f"annotator: error: cannot write {out}: the disk is full"
        " (nothing was written; free some space or export to another disk)\n"
    )
    assert list(tmp_path.iterdir()) == []


def _can_mount_privately() -> bool:
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "sh", "-c", "mount -t tmpfs -o size=16k tmpfs /mnt"], capture_output=True
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_privately(), reason="needs root and unshare to mount a private tmpfs")
@pytest.mark.parametrize("fmt", ["prodigy", "spacy", "brat"])
def test_a_real_full_disk(news_db, tmp_path, fmt):
    # A 16 kB tmpfs, 12 kB of it taken, in a mount namespace of its own: gone when the child ends.
    disk = tmp_path / "disk"
    disk.mkdir()
    out = disk / "news.out"
    script = (
        f"mount -t tmpfs -o size=16k tmpfs {disk} && head -c 12000 /dev/zero > {disk}/fill &&"
        f" {sys.executable} -m annotator export --db {news_db} --format {fmt} -o {out};"
        f" code=$?; ls -a {disk}; exit $code"
    )
    proc = subprocess.run(["unshare", "--mount", "sh", "-c", script], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == (
        f"annotator: error: cannot write {out}: the disk is full"
        " (nothing was written; free some space or export to another disk)\n"
    )
    assert proc.stdout.split() == [".", "..", "fill"]


def _start_export(db: Path, out: Path) -> subprocess.Popen:
    # With spaCy's tokens the export of 600 articles takes a few seconds: time to signal it.
    return subprocess.Popen(
        [sys.executable, "-m", "annotator", "export", "--db", str(db), "--tokens", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def _wait_for_part(proc: subprocess.Popen, folder: Path) -> list[str]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        found = _leftovers(folder)
        if found and os.path.getsize(folder / found[0]) > 0:
            return found
        time.sleep(0.01)
    raise AssertionError(f"no temporary file appeared: {proc.communicate()}")


@pytest.mark.slow
def test_sigterm_during_an_export_removes_the_temporary_file(news_db, tmp_path):
    out = tmp_path / "news.jsonl"
    proc = _start_export(news_db, out)
    _wait_for_part(proc, tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == "annotator: cancelled\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_part_left_by_sigkill_is_removed_by_the_next_export_to_that_path(news_db, tmp_path, capsys):
    out = tmp_path / "news.jsonl"
    proc = _start_export(news_db, out)
    (stale,) = _wait_for_part(proc, tmp_path)
    proc.kill()
    proc.communicate(timeout=60)
    assert _leftovers(tmp_path) == [stale] and not out.exists()

    code, err = _export(capsys, news_db, "prodigy", out)
    assert code == 0, err
    assert list(tmp_path.iterdir()) == [out]
    assert sum(1 for _ in out.open(encoding="utf-8")) == 600


def test_stale_parts_are_those_of_this_target_whose_process_is_gone(tmp_path):
    target = tmp_path / "news.jsonl"
    names = {
        "dead": ".news.jsonl.999999999.0123abcd.part",  # beyond any pid_max
        "older version": ".news.jsonl.part",
        "this process": f".news.jsonl.{os.getpid()}.0123abcd.part",
        "running": f".news.jsonl.{os.getppid()}.0123abcd.part",
        "another target": ".news.jsonl.old.999999999.0123abcd.part",
        "not a part": ".news.jsonl.999999999.0123abcd.partial",
    }
    for name in names.values():
        (tmp_path / name).write_text("x")
    (tmp_path / ".news.jsonl.999999998.0123abcd.part").mkdir()  # a brat folder's

    removed = export_target.remove_stale_parts(target)

    assert sorted(p.name for p in removed) == sorted(
        [names["dead"], names["older version"], ".news.jsonl.999999998.0123abcd.part"]
    )
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {names[k] for k in ("this process", "running", "another target", "not a part")}


def test_an_error_that_is_not_about_the_target_is_not_dressed_as_one(tmp_path):
    def write(fh) -> int:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "/models/en_core_web_sm")

    with pytest.raises(FileNotFoundError):
        export_target.write_file(tmp_path / "out.jsonl", False, write)
    assert list(tmp_path.iterdir()) == []


def test_the_file_gets_the_usual_permissions(tmp_path):
    export_target.write_text(tmp_path / "out.txt", "hello")
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(OutputError, match="it is a folder"):
        export_target.write_text(tmp_path, "hello")
