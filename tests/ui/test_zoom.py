"""View → Zoom: the window's text, plots included, grows and shrinks by steps; Reset restores it;
the zoom is remembered, reaches plots made later, and a bad stored value is 100 %."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from digitlab.ui import zoom as zooming
from digitlab.ui.main_window import MainWindow
from digitlab.ui.plots import style
from digitlab.ui.zoom import KEY, SCENE_PASS_MS, Zoom, install_zoom, read_factor


@pytest.fixture(autouse=True)
def application_font_restored(qapp):
    """A zoom changes the application font: the next tests get the font they started with."""
    yield
    QApplication.setFont(zooming.base_font())
    qapp.setProperty(zooming.ZOOM_PROPERTY, 1.0)


def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


def open_window(qtbot, session, settings: QSettings) -> tuple[MainWindow, Zoom]:
    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    zoom = install_zoom(window, settings)  # where the window will call it: before the plots
    window.resize(1400, 860)
    window.build_plot_views()
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # the pass over views put into their docks
    return window, zoom


def tick_points(axis: pg.AxisItem) -> float:
    """The size the axis draws its tick labels at (no font of its own: the application's)."""
    font = axis.style["tickFont"]
    return (font or QApplication.font()).pointSizeF()


def sizes(window: MainWindow) -> dict[str, float]:
    """Text sizes in points across the window: widgets, a dock title, plot ticks and labels."""
    rotation = window.view("robustness").figure.curves["rotation"]
    axis = rotation.getAxis("left")
    bars = window.view("prediction").bars
    return {
        "application": QApplication.font().pointSizeF(),
        "dock title": window.docks["weights"].font().pointSizeF(),
        "status bar": window.statusBar().font().pointSizeF(),
        "headline": bars.headline.font().pointSizeF(),  # a size of its own: 14 pt
        "prediction ticks": tick_points(bars.plot_widget.getAxis("bottom")),
        "robustness ticks": tick_points(axis),
        "axis label": float(axis.labelStyle.get("font-size", "0pt").removesuffix("pt") or 0),
        "title": float(rotation.titleLabel.opts["size"].removesuffix("pt")),
    }


def test_zoom_in_and_out_scale_every_text_and_reset_restores_it(qtbot, session, tmp_path):
    window, zoom = open_window(qtbot, session, ini(tmp_path))
    before = sizes(window)
    base = before["application"]
    zoom.zoom_in()
    assert zoom.factor == 1.1
    zoom.set_factor(1.5)
    after = sizes(window)
    for name in ("application", "dock title", "status bar", "prediction ticks",
                 "robustness ticks", "axis label"):  # fmt: skip
        assert after[name] == pytest.approx(1.5 * base, abs=0.02), name
    assert after["headline"] == pytest.approx(1.5 * 14)
    assert after["title"] == pytest.approx(1.5 * 11)  # pyqtgraph's titles are 11 pt
    assert style.font_scale() == 1.5 and style.points(8) == 12  # for plots sizing text
    zoom.zoom_out()
    assert zoom.factor == 1.25 and sizes(window)["application"] == pytest.approx(1.25 * base)
    zoom.reset()
    back = sizes(window)
    assert {k: back[k] for k in back if k != "axis label"} == pytest.approx(
        {k: before[k] for k in before if k != "axis label"}, abs=0.02
    )
    assert back["axis label"] == pytest.approx(base)
    assert zoom.factor == 1.0 and window.statusBar().currentMessage() == "Zoom 100 %"
    for _ in range(20):  # steps end at 200 % and 80 %
        zoom.zoom_in()
    assert zoom.factor == 2.0 and not zoom.actions[0].isEnabled()
    for _ in range(20):
        zoom.zoom_out()
    assert zoom.factor == 0.8 and not zoom.actions[1].isEnabled()


def test_the_shortcuts_are_in_the_view_menu(qtbot, session, tmp_path) -> None:
    window, zoom = open_window(qtbot, session, ini(tmp_path))
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert zoom.actions == [a for a in menu.actions() if "zoom" in a.text().lower()]
    assert install_zoom(window, window.settings) is zoom  # once per window
    keys = [[k.toString() for k in a.shortcuts()] for a in zoom.actions]
    assert "Ctrl+=" in keys[0] and "Ctrl++" in keys[0]
    assert "Ctrl+-" in keys[1] and keys[2] == ["Ctrl+0"]
    canvas = window.view("pad").canvas
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus)
    qtbot.keyClick(canvas, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert zoom.factor == 1.1
    qtbot.keyClick(canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert zoom.factor == 1.0
    qtbot.keyClick(canvas, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert zoom.factor == 0.9


def test_the_zoom_is_remembered_and_reaches_plots_made_later(qtbot, session, tmp_path) -> None:
    settings = ini(tmp_path)
    window, zoom = open_window(qtbot, session, settings)
    base = QApplication.font().pointSizeF()
    zoom.set_factor(1.5)
    assert read_factor(settings) == 1.5
    window.close()
    QApplication.setFont(zooming.base_font())  # as a new process starts
    again, zoom = open_window(qtbot, session, ini(tmp_path))
    assert zoom.factor == 1.5
    assert sizes(again)["application"] == pytest.approx(1.5 * base)
    assert sizes(again)["robustness ticks"] == pytest.approx(1.5 * base)  # built after the zoom
    plot = again.view("prediction").bars.plot_widget.getPlotItem()  # on screen
    plot.setTitle("a title set later", size="10pt")  # a view re-titles a plot, at its own size
    label = pg.TextItem("made later")
    plot.addItem(label)
    qtbot.waitUntil(lambda: plot.titleLabel.opts["size"] == "15pt", timeout=10 * SCENE_PASS_MS)
    assert label.textItem.font().pointSizeF() == pytest.approx(1.5 * base)
    hidden = again.view("robustness").figure.curves["scale"]  # not in this workspace
    assert not again.docks["robustness"].isVisible()
    hidden.setTitle("set while hidden", size="10pt")
    again.workspaces.switch("breaks")
    qtbot.waitUntil(lambda: hidden.titleLabel.opts["size"] == "15pt", timeout=10 * SCENE_PASS_MS)


@pytest.mark.parametrize("stored", ["abc", "1e9", 1e9, -3, "-3", "nan", "inf", "", True, ["1.5"],
                                    "0.1", "3"])  # fmt: skip
def test_a_bad_stored_zoom_is_100_percent(tmp_path, stored) -> None:
    settings = ini(tmp_path)
    settings.setValue(KEY, stored)
    settings.sync()
    assert read_factor(ini(tmp_path)) == 1.0


def test_a_window_with_a_bad_stored_zoom_opens_at_100_percent(qtbot, session, tmp_path) -> None:
    settings = ini(tmp_path)
    settings.setValue(KEY, "1e9")
    settings.sync()
    window, zoom = open_window(qtbot, session, ini(tmp_path))
    assert zoom.factor == 1.0
    assert QApplication.font().pointSizeF() == zooming.base_font().pointSizeF()


@pytest.mark.parametrize(("stored", "factor"), [("1.5", 1.5), (1.25, 1.25), ("1.3", 1.25),
                                                ("2", 2.0), ("0.8", 0.8)])  # fmt: skip
def test_a_stored_zoom_is_read_to_the_nearest_step(tmp_path, stored, factor) -> None:
    settings = ini(tmp_path)
    settings.setValue(KEY, stored)
    settings.sync()
    assert read_factor(ini(tmp_path)) == factor


def test_plots_read_the_zoom_from_the_application_whatever_it_holds(qapp) -> None:
    assert zooming.ZOOM_PROPERTY == style.ZOOM_PROPERTY  # one name, written twice (no pyqtgraph)
    for value, scale in ((1.75, 1.75), ("2", 1.0), (1e9, 1.0), (-1, 1.0), (None, 1.0)):
        qapp.setProperty(style.ZOOM_PROPERTY, value)
        assert style.font_scale() == scale
