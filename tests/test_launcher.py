"""`annotator install-desktop`: a menu entry that starts this installation, and the icons."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from annotator import launcher
from annotator.cli import main
from annotator.paths import resource


def _entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in a desktop entry
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_icons_are_our_svg_and_a_png_per_size():
    svg = ET.parse(resource("icons/annotator.svg")).getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 256 256"
    sizes = []
    for src, folder in launcher.icon_files()[1:]:
        n = int(folder.split("x")[0])
        assert _png_size(src) == (n, n)
        sizes.append(n)
    assert sizes == sorted(sizes) and {16, 32, 48, 64, 128, 256, 512} <= set(sizes)


def test_install_writes_a_menu_entry_that_starts_this_installation(tmp_path):
    written = launcher.install_desktop(tmp_path)
    entry = tmp_path / "applications" / "annotator.desktop"
    assert written[0] == entry
    fields = _entry(entry)
    assert fields["Type"] == "Application" and fields["Name"] == "annotator"
    assert fields["Icon"] == "annotator" and fields["Terminal"] == "false"
    program = fields["Exec"].removesuffix(" open %f")
    assert program != fields["Exec"]
    # Absolute: the desktop session's PATH may not have the venv's or pipx's bin.
    assert Path(program.split(" ")[0]).is_absolute()
    assert program == " ".join(launcher.launch_command())
    for size in (16, 48, 256):
        png = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "annotator.png"
        assert png in written and _png_size(png) == (size, size)
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "annotator.svg").is_file()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_the_entry_passes_desktop_file_validate(tmp_path):
    launcher.install_desktop(tmp_path, command=["/opt/my apps/annotator"])
    done = subprocess.run(
        ["desktop-file-validate", str(tmp_path / "applications" / "annotator.desktop")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_launch_command_is_the_script_beside_the_interpreter():
    script = Path(sys.executable).with_name("annotator")
    if script.is_file():
        assert launcher.launch_command() == [str(script.absolute())]
    else:
        assert launcher.launch_command() == [str(Path(sys.executable).absolute()), "-m", "annotator"]


def test_a_frozen_bundle_starts_its_own_executable(monkeypatch, tmp_path):
    exe = tmp_path / "annotator"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert launcher.launch_command() == [str(exe.resolve())]


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/annotator", "/usr/bin/annotator"),
        ("/home/ana/my apps/annotator", '"/home/ana/my apps/annotator"'),
        ("/opt/100%/annotator", "/opt/100%%/annotator"),
        ('/opt/a"b/x', '"/opt/a\\\\"b/x"'),
        ("/opt/$HOME/x", '"/opt/\\\\$HOME/x"'),
    ],
)
def test_exec_arguments_are_quoted_as_the_spec_says(arg, quoted):
    assert launcher.desktop_entry([arg]).count(f"Exec={quoted} open %f") == 1


def test_uninstall_removes_what_install_wrote(tmp_path):
    written = launcher.install_desktop(tmp_path)
    assert launcher.uninstall_desktop(tmp_path) == [p for p in written]
    assert not any(p.exists() for p in written)
    assert launcher.uninstall_desktop(tmp_path) == []


def test_cli_install_desktop_and_uninstall(tmp_path, capsys):
    assert main(["install-desktop", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'applications' / 'annotator.desktop'}" in out
    assert "annotator is in the application menu; it starts " in out
    assert main(["install-desktop", "--data-home", str(tmp_path), "--uninstall"]) == 0
    assert "removed " in capsys.readouterr().out
    assert not (tmp_path / "applications" / "annotator.desktop").exists()


def test_an_unwritable_folder_is_one_line_and_a_hint(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["install-desktop", "--data-home", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("annotator: error: cannot write ") and len(err.strip().splitlines()) == 1
