"""The Lessons menu and the side panel a lesson is followed in.

Opening a lesson sets the session up (`session.lessons.apply`: settings, pace, preprocessing,
the model that reads the drawing, the trainer warmed up), lays out its workspace with its views
in front, sets the pad's pen and draws its sample, and shows its steps in a panel at the right:
one step at a time with Back and Next, each step's "what to do" and "what to notice". A step
the session can observe ticks itself (the panel asks four times a second: the questions are
cheap, and a timer needs no wiring to every signal a check might read).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from digitlab.session import lessons
from digitlab.session.lessons import Lesson

CHECK_MS = 250
PANEL_WIDTH = 270
DONE, OPEN = "✓", "○"


class LessonPanel(QWidget):
    """A lesson's title, summary and steps, one at a time."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.lesson: Lesson | None = None
        self.index = 0
        self.ticked: list[bool] = []
        self.title = QLabel(wordWrap=True)
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.summary = QLabel(wordWrap=True)
        self.summary.setStyleSheet("font-style: italic;")  # grey on grey was unreadable projected
        self.outline = QLabel(wordWrap=True)  # every step, ticked or not
        self.position = QLabel()
        self.step = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.step.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.step.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.back = QPushButton("← Back")
        self.next = QPushButton("Next →")
        self.back.clicked.connect(lambda: self.go(self.index - 1))
        self.next.clicked.connect(lambda: self.go(self.index + 1))
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        for widget in (self.title, self.summary, self.outline, self.position):
            layout.addWidget(widget)
        scroll = QScrollArea(widgetResizable=True)  # a long step at 1024×640 scrolls, not cut
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.step)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.timer = QTimer(self, interval=CHECK_MS)
        self.timer.timeout.connect(self.check)

    def show_lesson(self, lesson: Lesson) -> None:
        self.lesson, self.ticked = lesson, [False] * len(lesson.steps)
        self.title.setText(lesson.title)
        self.summary.setText(lesson.summary)
        self.go(0)
        self.timer.start()

    def go(self, index: int) -> None:
        """Show step `index` (clamped), and bring its view to the front."""
        if self.lesson is None:
            return
        self.index = max(0, min(index, len(self.lesson.steps) - 1))
        step = self.lesson.steps[self.index]
        if step.show and hasattr(self.window_, "show_view"):
            self.window_.show_view(step.show)
        self._paint()

    def check(self) -> None:
        """Tick the steps whose checks hold (a ticked step stays ticked)."""
        if self.lesson is None:
            return
        session = self.window_.session
        done = self.lesson.done(session)
        if any(now and not before for now, before in zip(done, self.ticked)):
            self.ticked = [a or b for a, b in zip(done, self.ticked)]
            self._paint()

    def _paint(self) -> None:
        lesson, index = self.lesson, self.index
        if lesson is None:
            return
        step, count = lesson.steps[index], len(lesson.steps)
        rows = []
        for number, (each, ticked) in enumerate(zip(lesson.steps, self.ticked)):
            mark = DONE if ticked else OPEN
            text = html.escape(each.do.split(".")[0])
            rows.append(f"<b>{mark} {text}</b>" if number == index else f"{mark} {text}")
        self.outline.setText("<br>".join(rows))
        self.position.setText(f"Step {index + 1} of {count}" + ("  ✓ done" if self.ticked[index]
                                                                  else ""))  # fmt: skip
        self.step.setText(
            f"<p><b>Do:</b> {html.escape(step.do)}</p>"
            f"<p><b>Notice:</b> {html.escape(step.notice)}</p>"
        )
        self.back.setEnabled(index > 0)
        self.next.setEnabled(index < count - 1)
        self.next.setDefault(self.ticked[index])


class _LessonDock(QDockWidget):
    """The panel's dock: its × leaves the lesson (hiding it on a workspace switch does not)."""

    closed = None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().closeEvent(event)
        if self.closed is not None:
            self.closed()


class Lessons:
    """The Lessons menu, and the dock of the lesson being followed."""

    def __init__(self, window: QMainWindow, menu: QMenu) -> None:
        self.window = window
        self.panel = LessonPanel(window)
        self.dock = _LessonDock("Lesson", window)
        self.dock.setObjectName("lesson")
        self.dock.setWidget(self.panel)
        self.dock.hide()
        self.dock.closed = self.close
        self.menu = menu
        self.menu.aboutToShow.connect(self._fill_menu)
        self.current: Lesson | None = None
        window.workspaces.changed.connect(self.keep_panel)

    def keep_panel(self, *_: object) -> None:
        """The panel stays at the right while a lesson is open, whatever workspace the user
        goes to (an arrangement stored before the lesson would hide it), and only then."""
        if self.current is None:
            self.dock.hide()
            return
        if self.dock.isHidden():
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            self.dock.show()

    def _fill_menu(self) -> None:
        self.menu.clear()
        found, broken = lessons.read_lessons()
        for error in broken:  # the others stay in the menu
            self.window.session.notices.error(str(error), source="lessons")
        for number, lesson in enumerate(found, start=1):
            key = "&" if number < 10 else ""  # Alt+1…9: lesson 10 would share lesson 1's key
            action = self.menu.addAction(f"{key}{number} {lesson.title}")
            action.setStatusTip(lesson.summary)
            action.triggered.connect(lambda _=False, chosen=lesson: self.open(chosen))

    def open(self, lesson: Lesson) -> None:
        """Set everything up for the lesson and show its first step."""
        window = self.window
        lessons.apply(window.session, lesson)
        window.workspaces.switch(lesson.workspace)
        window.reset_layout()
        for view_id in lesson.views:
            window.show_view(view_id)
        self._prepare_views(lesson)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.setFloating(False)
        self.dock.show()
        window.resizeDocks([self.dock], [PANEL_WIDTH], Qt.Orientation.Horizontal)
        self.current = lesson
        self.panel.show_lesson(lesson)
        window.session.notices.info(f"Lesson: {lesson.title}", source="lessons")

    def _prepare_views(self, lesson: Lesson) -> None:
        views = self.window.views
        pad = views.get("pad")
        if pad is not None:
            if lesson.pen is not None:
                pad.pen_spin.setValue(lesson.pen)
            pad.canvas.clear()
            if lesson.digit:
                from digitlab.ui.views.pad import draw_sample

                draw_sample(pad, lesson.digit)
            pad.push()
        experiments = views.get("experiments")
        if lesson.experiment and experiments is not None:
            experiments.pick(lesson.experiment)

    def close(self) -> None:
        """Leave the lesson: the panel goes, the settings it made stay, but for a second net
        trained beside the run: unseen outside Compare, it went on training beside every run."""
        if self.current is not None and self.current.beside:
            self.window.session.side_by_side.set_enabled(False)
        self.current = None
        self.panel.timer.stop()
        self.dock.hide()
