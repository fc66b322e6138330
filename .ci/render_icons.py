"""Render resources/icons/annotator.svg to the PNG sizes a desktop asks for.

Run after editing the SVG, with a Python that has PySide6 (the project's test venv):

    QT_QPA_PLATFORM=offscreen .venv/bin/python .ci/render_icons.py

The PNGs are committed, so neither the window nor `annotator install-desktop` needs Qt's SVG
plugin (a PyInstaller bundle may not carry it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QImage painting needs the application
    renderer = QSvgRenderer(str(ICONS / "annotator.svg"))
    if not renderer.isValid():
        print("annotator.svg is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = ICONS / f"annotator-{size}.png"
        image.save(str(out))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
