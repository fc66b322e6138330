"""The label palette: entity labels, the issue taxonomy as a tree, choosing a label."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from annotator.model import ISSUE, Label
from annotator.ui.label_palette import LAYER_ROLE, LabelPalette, LabelPaletteModel


def tree(model, parent=None) -> list:
    """The tree as nested (name, key, [children]) tuples."""
    parent = parent or QModelIndex()
    out = []
    for r in range(model.rowCount(parent)):
        index = model.index(r, 0, parent)
        key = model.index(r, 1, parent).data()
        out.append((index.data(), key, tree(model, index)))
    return out


def test_palette_shows_entities_and_the_issue_tree(session, qtbot, qtmodeltester):
    palette = LabelPalette(session)
    qtbot.addWidget(palette)
    qtmodeltester.check(palette.model)
    assert tree(palette.model) == [
        ("Entities", "", [("PERSON", "1", []), ("ORG", "2", []), ("GPE", "3", [])]),
        (
            "Issues",
            "",
            [("TRADE", "⇧1", [("TARIFFS", "", []), ("EXPORTS", "", [])]), ("ENERGY", "⇧2", [])],
        ),
    ]
    person = palette.model.find_label("entity", "PERSON")
    assert person.data(Qt.ItemDataRole.ToolTipRole) == "People, including fictional ones."
    assert person.data(Qt.ItemDataRole.DecorationRole) == QColor("#e69494")
    tariffs = palette.model.find_label(ISSUE, "TARIFFS")
    assert tariffs.parent().data() == "TRADE"
    assert "part of TRADE" in tariffs.data(Qt.ItemDataRole.ToolTipRole)


def test_click_and_enter_choose_a_label(session, qtbot):
    palette = LabelPalette(session)
    qtbot.addWidget(palette)
    palette.resize(300, 400)
    palette.show()
    index = palette.model.find_label(ISSUE, "TARIFFS")
    rect = palette.tree.visualRect(index)
    with qtbot.waitSignal(palette.label_chosen) as blocker:
        qtbot.mouseClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [ISSUE, "TARIFFS"]
    palette.tree.setFocus()
    qtbot.keyClick(palette.tree, Qt.Key.Key_Down)
    with qtbot.waitSignal(palette.label_chosen) as blocker:
        qtbot.keyClick(palette.tree, Qt.Key.Key_Return)
    assert blocker.args == [ISSUE, "EXPORTS"]


def test_group_header_chooses_nothing(session, qtbot):
    palette = LabelPalette(session)
    qtbot.addWidget(palette)
    palette.show()
    header = palette.model.index(0, 0)
    assert header.data(LAYER_ROLE) is None
    with qtbot.assertNotEmitted(palette.label_chosen):
        palette._on_tree_activated(header)
    assert not palette.tree.isExpanded(header)


def test_palette_refreshes_when_labels_change(session, qtbot):
    palette = LabelPalette(session)
    qtbot.addWidget(palette)
    assert palette.select_label("entity", "ORG")
    changes = session.store.update_label("entity", "ORG", key="9", description="Organisations.")
    session.notify(changes)
    org = palette.model.find_label("entity", "ORG")
    assert org.siblingAtColumn(1).data() == "9"
    assert org.data(Qt.ItemDataRole.ToolTipRole) == "Organisations."
    assert palette.current_label() == ("entity", "ORG")
    session.store.ensure_labels([Label("QUOTAS", ISSUE, "#123456", None, "Import quotas.", "TARIFFS")])
    session.notify(type(changes)(labels=True))
    quotas = palette.model.find_label(ISSUE, "QUOTAS")
    assert quotas.parent().data() == "TARIFFS"


def test_unknown_parent_and_cycles_do_not_lose_labels(qtmodeltester):
    model = LabelPaletteModel()
    model.set_labels(
        [
            Label("A", ISSUE, parent="B"),
            Label("B", ISSUE, parent="A"),
            Label("C", ISSUE, parent="MISSING"),
        ]
    )
    qtmodeltester.check(model)
    issues = tree(model)[1][2]
    assert sorted(name for name, _, _ in issues) == ["A", "C"]
    assert dict((n, kids) for n, _, kids in issues)["A"] == [("B", "", [])]


def test_following_the_focus_scrolls_by_group_and_only_when_out_of_sight(session, qtbot):
    palette = LabelPalette(session)
    qtbot.addWidget(palette)
    tree = palette.tree
    rows = 4
    palette.resize(
        300, tree.header().sizeHint().height() + rows * tree.sizeHintForRow(0) + 2 * tree.frameWidth()
    )
    palette.show()
    qtbot.waitExposed(palette)
    bar = tree.verticalScrollBar()
    assert bar.maximum() > 0  # 9 rows, 4 in sight

    def top_row() -> str:
        return tree.indexAt(tree.viewport().rect().topLeft()).data()

    assert palette.select_label("entity", "GPE")
    assert top_row() == "Entities"
    # An issue out of sight: its group's header goes to the top, its other labels come along.
    assert palette.select_label(ISSUE, "TRADE")
    assert top_row() == "Issues"
    assert palette.current_label() == (ISSUE, "TRADE")
    value = bar.value()
    for name in ("TARIFFS", "EXPORTS", "TRADE"):
        assert palette.select_label(ISSUE, name)
        assert bar.value() == value  # in sight: no scroll
    assert palette.select_label("entity", "PERSON")
    assert top_row() == "Entities"
    assert palette.current_label() == ("entity", "PERSON")
