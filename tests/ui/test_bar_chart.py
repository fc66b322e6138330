"""The painted bar chart: bars to scale, the first series hollow and the others filled."""

from __future__ import annotations

from PySide6.QtGui import QColor

from annotator.ui.bar_chart import BarChart, BarRow


def test_bars_are_to_scale_and_series_differ_by_shape(qtbot):
    chart = BarChart(("before", "after"), maximum=1.0)
    qtbot.addWidget(chart)
    chart.set_rows([BarRow("GPE", (0.5, 1.0), "50 → 100"), BarRow("ORG", (None, 0.25), "- → 25")])
    chart.resize(500, chart.sizeHint().height())
    chart.show()
    qtbot.waitExposed(chart)
    full = chart.bar_rect(0, 1).width()
    assert full > 100
    assert chart.bar_rect(0, 0).width() == full / 2
    assert chart.bar_rect(1, 1).width() == full / 4 and chart.bar_rect(1, 0).width() == 0
    image = chart.grab().toImage()
    hollow, filled = chart.bar_rect(0, 0), chart.bar_rect(0, 1)
    inside = QColor(image.pixel(int(hollow.center().x()), int(hollow.center().y())))
    solid = QColor(image.pixel(int(filled.center().x()), int(filled.center().y())))
    assert inside == chart.palette().color(chart.backgroundRole()) or inside.lightness() > 200
    assert solid == chart.colour(1)
