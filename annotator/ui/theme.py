"""View > Theme: the system's colours, a light theme or a dark one, kept in the user's settings.

Light and dark use Qt's Fusion style with a palette of their own, so they look the same on every
desktop; *System* gives back the style and palette the application started with. The article
view adapts its marks to the page (dark text on the full label colour on a dark page, lighter
underlines and boxes; :class:`~annotator.ui.mark_painter.MarkPainter`), redrawn when the palette
changes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QStyleFactory

from annotator.ui import settings

THEME_KEY = "view/theme"
SYSTEM, LIGHT, DARK = "system", "light", "dark"
THEMES = {SYSTEM: "&System", LIGHT: "&Light", DARK: "&Dark"}

_R = QPalette.ColorRole
_DARK = {
    _R.Window: "#2b2b2b",
    _R.WindowText: "#e6e6e6",
    _R.Base: "#1f1f1f",
    _R.AlternateBase: "#282828",
    _R.ToolTipBase: "#3a3a3a",
    _R.ToolTipText: "#eeeeee",
    _R.PlaceholderText: "#8a8a8a",
    _R.Text: "#e6e6e6",
    _R.Button: "#353535",
    _R.ButtonText: "#e6e6e6",
    _R.BrightText: "#ff6b6b",
    _R.Light: "#4a4a4a",
    _R.Midlight: "#3e3e3e",
    _R.Mid: "#5a5a5a",
    _R.Dark: "#1a1a1a",
    _R.Shadow: "#000000",
    _R.Highlight: "#3d7fd9",
    _R.HighlightedText: "#ffffff",
    _R.Link: "#7ab0ff",
    _R.LinkVisited: "#b59cff",
}


def _style_names() -> list[str]:
    return [k for k in QStyleFactory.keys()] + [k.lower() for k in QStyleFactory.keys()]


def dark_palette() -> QPalette:
    """The dark theme's palette (disabled text dimmer, as Fusion does)."""
    pal = QPalette()
    for role, colour in _DARK.items():
        pal.setColor(role, QColor(colour))
    for role in (_R.WindowText, _R.Text, _R.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f7f7f"))
    return pal


class ThemeControl(QObject):
    """Applies and remembers the theme; builds the View menu's Theme submenu.

    Parameters
    ----------
    window
        The main window (the menu's owner).

    Attributes
    ----------
    theme : str
        ``"system"``, ``"light"`` or ``"dark"``.
    actions : dict
        The submenu's action per theme.
    """

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        app = QApplication.instance()
        # What "System" goes back to: the start's style and palette (kept by the application,
        # so a second window does not take a theme for the system's).
        if app.property("annotator_system_style") is None:
            app.setProperty("annotator_system_style", app.style().name())
            app.setProperty("annotator_system_palette", QPalette(app.palette()))
        self.theme = SYSTEM
        self.actions: dict[str, QAction] = {}
        saved = settings.settings().value(THEME_KEY, SYSTEM)
        if saved in (LIGHT, DARK):
            self.set_theme(saved, remember=False)

    def install_menu(self, view_menu: QMenu) -> QMenu:
        """The Theme submenu at the end of the View menu."""
        menu = view_menu.addMenu("&Theme")
        menu.setObjectName("theme_menu")
        group = QActionGroup(menu)
        group.setExclusive(True)
        for name, text in THEMES.items():
            act = QAction(text, menu)
            act.setObjectName(f"view.theme.{name}")
            act.setCheckable(True)
            act.setChecked(name == self.theme)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            group.addAction(act)
            menu.addAction(act)
            self.actions[name] = act
        return menu

    def set_theme(self, name: str, remember: bool = True) -> None:
        """Use ``name``'s colours in the whole application (and keep the choice)."""
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}; use one of {', '.join(THEMES)}")
        app = QApplication.instance()
        # Styles by name: the application makes and owns them (a style object made here could be
        # collected by Python while Qt still paints with it).
        if name == SYSTEM:
            style = app.property("annotator_system_style")
            if style and style.lower() != app.style().name().lower() and style in _style_names():
                app.setStyle(style)
            app.setPalette(app.property("annotator_system_palette"))
        else:
            # The style is the application's (Fusion, set when it starts, ui/app.py): switching
            # styles here would repolish every widget, some of them being deleted.
            app.setPalette(dark_palette() if name == DARK else app.style().standardPalette())
        self.theme = name
        if name in self.actions:
            self.actions[name].setChecked(True)
        if remember:
            settings.write(THEME_KEY, name)
            self.window.statusBar().showMessage(f"{name} theme", 4000)

    def is_dark(self) -> bool:
        """True when the page is dark now (the dark theme, or a dark system palette)."""
        return QApplication.instance().palette().color(_R.Base).lightness() < 128
