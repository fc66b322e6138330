"""The commands about this installation itself: ``--version``, ``self-test``, ``install-desktop``
and ``bundle``. :mod:`annotator.cli` adds them to its parser; each is a thin wrapper that calls
one function and prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from annotator.errors import AnnotatorError

VERSION_HELP = "print the versions of annotator, Python, spaCy, the pipeline, Qt and the database schema"


def qt_version() -> str | None:
    """Qt's version from QtCore alone (no window, no display); None when Qt cannot be imported."""
    try:
        from annotator.ui.qtinfo import qt_version as version
    except ImportError:
        return None
    return version()


class VersionAction(argparse.Action):
    """``--version``: the version report of :mod:`annotator.versions`, then exit."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=VERSION_HELP):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from annotator import versions

        print(versions.report(qt=qt_version()))
        parser.exit()


def add_commands(sub) -> None:
    """Add ``self-test``, ``install-desktop`` and ``bundle`` to the ``annotator`` subparsers."""
    p = sub.add_parser(
        "self-test", help="check this installation: open the window offscreen on the demo, suggest, close"
    )
    p.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the scratch database in DIR (default: deleted)"
    )
    p.add_argument("--timeout", type=float, default=600.0, help="seconds the suggest may take (default 600)")

    p = sub.add_parser("install-desktop", help="put annotator and its icon in the desktop's application menu")
    p.add_argument(
        "--data-home",
        type=Path,
        metavar="DIR",
        help="write under DIR (default: $XDG_DATA_HOME or ~/.local/share)",
    )
    p.add_argument("--uninstall", action="store_true", help="remove the menu entry and the icons")

    p = sub.add_parser("bundle", help="build a self-contained one-folder application with PyInstaller")
    p.add_argument(
        "-o", "--output", type=Path, default=Path("dist"), help="folder for the bundle (default: dist)"
    )
    p.add_argument("--work", type=Path, metavar="DIR", help="keep PyInstaller's build files in DIR")
    p.add_argument(
        "--pipeline",
        action="append",
        metavar="NAME",
        help="spaCy pipeline package to put inside (repeatable; default: the English ones installed)",
    )
    p.add_argument("--no-check", action="store_true", help="do not start the bundle after building it")


def _cmd_self_test(args) -> int:
    # Before Qt is imported: a self-test needs no display (a set platform is respected).
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from annotator.ui.self_test import run_self_test

    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = run_self_test(args.keep, timeout_s=args.timeout)
    else:
        with tempfile.TemporaryDirectory(prefix="annotator-self-test-") as folder:
            result = run_self_test(Path(folder), timeout_s=args.timeout)
    print(f"self-test passed: {result.summary()}")
    return 0


def _cmd_install_desktop(args) -> int:
    from annotator import launcher

    if args.uninstall:
        removed = launcher.uninstall_desktop(args.data_home)
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print("annotator was not in the menu")
        return 0
    written = launcher.install_desktop(args.data_home)
    for path in written:
        print(f"wrote {path}")
    print(f"annotator is in the application menu; it starts {' '.join(launcher.launch_command())}")
    return 0


def _cmd_bundle(args) -> int:
    from annotator import bundle

    if getattr(sys, "frozen", False):
        raise AnnotatorError("this annotator is a bundle already: build one from an installed annotator")
    folder = bundle.build(args.output, work=args.work, pipelines=args.pipeline)
    print(f"built {folder} ({bundle.folder_size(folder) / 1e6:,.0f} MB)")
    if not args.no_check:
        for run in bundle.check(folder):
            print(f"{' '.join(run.command[1:])}: {run.seconds:.1f} s")
            print("  " + run.output.replace("\n", "\n  "))
    exe = bundle.executable(folder)
    print(f"start it with {exe}; `{exe} install-desktop` puts it in the application menu")
    return 0


COMMANDS = {
    "self-test": _cmd_self_test,
    "install-desktop": _cmd_install_desktop,
    "bundle": _cmd_bundle,
}
