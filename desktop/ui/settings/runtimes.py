"""The LLM servers running on this computer (Ollama, LM Studio, llama.cpp…), found in the
background, each listed with its models and a way to use one.

Detection (core.insights.llm.detect) asks only loopback on each runtime's default port;
another host is asked only when the user types its URL and presses Probe. It never runs on
the UI thread: a stuck server may take seconds to give up on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.insights.llm.detect import (
    DEFAULT_CANDIDATES,
    Candidate,
    Runtime,
    detect,
    how_to_start,
)
from desktop.ui.display import shown_text
from desktop.ui.jobs import Job, JobRunner
from desktop.ui.settings.common import plain_label

DETECT_JOB = "llm-detect"
NONE_FOUND = "No LLM server is running on this computer's usual ports."
# how_to_start() speaks of the command line; here the same steps are buttons.
IN_THE_DIALOG = "Here: press Look Again once one runs, or type its URL below and press Probe."
_SHOWN = 300  # characters of a server's model name or version: they are the server's data


def detection_job(
    candidates: Sequence[Candidate] = DEFAULT_CANDIDATES, urls: Sequence[str] = ()
) -> Job:
    """A Job whose result is detect()'s list of runtimes (not started)."""
    candidates, urls = tuple(candidates), tuple(urls)
    return Job(DETECT_JOB, lambda _context: detect(candidates, urls), subject=urls)


class RuntimeList(QWidget):
    """Runtimes found, one row per model; Use (or double-click, or Enter) emits `chosen`."""

    chosen = Signal(object, str)  # Runtime, model
    found = Signal(list)  # every runtime listed, after each look

    def __init__(
        self,
        runner: JobRunner,
        candidates: Sequence[Candidate] = DEFAULT_CANDIDATES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.candidates = tuple(candidates)
        self.runtimes: list[Runtime] = []
        self._urls: list[str] = []  # typed URLs that answered: Look Again asks them too
        self._probing = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Runtime", "Version", "URL", "Model"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAccessibleName("LLM servers found on this computer, one row per model")
        self.tree.setToolTip("Double-click a model, or press Enter, to use it for insights")
        self.tree.itemActivated.connect(lambda _item, _column: self.use_selected())
        self._enter_on_tree = _OnEnter(self.tree, self.use_selected)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.empty = plain_label("", self, selectable=True)
        self.empty.setAccessibleName("How to start an LLM server")
        # Fixed width: how_to_start() lines up its commands in columns with spaces.
        self.empty.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)

        self.status = plain_label("", self)
        self.status.setAccessibleName("What the search for servers found")
        self.use_button = QPushButton("Use", self)
        self.use_button.setAccessibleName("Use the selected model for insights")
        self.use_button.setToolTip("Make the selected server and model the insight engine")
        self.use_button.clicked.connect(self.use_selected)
        self.again_button = QPushButton("Look Again", self)
        self.again_button.setAccessibleName("Look for LLM servers again")
        self.again_button.setToolTip("Ask this computer's usual ports (and URLs probed) again")
        self.again_button.clicked.connect(self.look_again)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.use_button)
        row.addWidget(self.again_button)
        layout.addLayout(row)

        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("Another server, e.g. http://gpu-box:11434")
        self.url_edit.setAccessibleName("URL of a server to probe")
        self.url_edit.setToolTip("Only asked when you press Probe")
        self._enter_on_url = _OnEnter(self.url_edit, self.probe)
        self.probe_button = QPushButton("Probe", self)
        self.probe_button.setAccessibleName("Ask the server at this URL for its models")
        self.probe_button.setToolTip("Ask the server at the URL typed which models it offers")
        self.probe_button.clicked.connect(self.probe)
        row = QHBoxLayout()
        row.addWidget(self.url_edit, 1)
        row.addWidget(self.probe_button)
        layout.addLayout(row)
        self._update_buttons()

    # Looking ------------------------------------------------------------------------------

    def look_again(self) -> None:
        """Ask the usual ports (and the URLs that answered before) in the background."""
        if not self.again_button.isEnabled():
            return  # one look at a time; the button comes back when it ends
        self.status.setText("Looking for servers on this computer…")
        self.again_button.setEnabled(False)
        job = detection_job(self.candidates, self._urls)
        job.succeeded.connect(self._looked)
        job.failed.connect(self.status.setText)
        job.finished.connect(self._look_ended)
        self.runner.start(job)

    def probe(self) -> None:
        """Ask the server at the typed URL, and only there."""
        url = self.url_edit.text().strip()
        if not url or not self.probe_button.isEnabled():
            return
        self._probing = url
        self.status.setText(f"Asking {url}…")
        self.probe_button.setEnabled(False)
        job = detection_job((), [url])
        job.succeeded.connect(self._probed)
        job.failed.connect(self.status.setText)
        job.finished.connect(self._probe_ended)
        self.runner.start(job)

    def _looked(self, runtimes: list[Runtime]) -> None:
        self._show(runtimes)

    def _probed(self, runtimes: list[Runtime]) -> None:
        url = self._probing
        if not runtimes:
            self.status.setText(f"Nothing at {url} answered as an LLM server.")
            return
        if url not in self._urls:
            self._urls.append(url)
        known = {(r.name, r.base_url) for r in self.runtimes}
        self._show(self.runtimes + [r for r in runtimes if (r.name, r.base_url) not in known])
        self._select(runtimes[0])

    def _look_ended(self) -> None:
        self.again_button.setEnabled(True)

    def _probe_ended(self) -> None:
        self.probe_button.setEnabled(True)

    # Showing ------------------------------------------------------------------------------

    def _show(self, runtimes: list[Runtime]) -> None:
        self.runtimes = list(runtimes)
        self.tree.clear()
        for runtime in self.runtimes:
            version = shown_text(runtime.version or "", _SHOWN)
            for model in runtime.models or ("",):
                shown = shown_text(model, _SHOWN) if model else "(no model: pull or load one)"
                item = QTreeWidgetItem([runtime.name, version, runtime.base_url, shown])
                item.setData(0, _ROLE, (runtime, model))
                item.setToolTip(3, shown)
                self.tree.addTopLevelItem(item)
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        if self.runtimes:
            models = sum(len(r.models) for r in self.runtimes)
            self.status.setText(
                f"Found {_count(len(self.runtimes), 'server')} with {_count(models, 'model')}."
            )
            self.stack.setCurrentWidget(self.tree)
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        else:
            self.status.setText("")
            self.empty.setText(f"{NONE_FOUND}\n\n{how_to_start()}\n\n{IN_THE_DIALOG}")
            self.stack.setCurrentWidget(self.empty)
        self._update_buttons()
        self.found.emit(self.runtimes)

    def _select(self, runtime: Runtime) -> None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.data(0, _ROLE)[0] == runtime:
                self.tree.setCurrentItem(item)
                return

    def selected(self) -> tuple[Runtime, str] | None:
        item = self.tree.currentItem()
        if item is None or self.stack.currentWidget() is not self.tree:
            return None
        runtime, model = item.data(0, _ROLE)
        return (runtime, model) if model else None

    def use_selected(self) -> None:
        choice = self.selected()
        if choice is not None:
            self.chosen.emit(*choice)

    def _update_buttons(self) -> None:
        self.use_button.setEnabled(self.selected() is not None)


_ROLE = Qt.ItemDataRole.UserRole  # the (Runtime, model) of a row
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _OnEnter(QObject):
    """Enter in `widget` calls `action` and goes no further. Both the tree and the line
    edit pass an Enter they handled on to the dialog, which would then press OK: Enter
    on a runtime would use it and close Settings at once."""

    def __init__(self, widget: QWidget, action: Callable[[], None]) -> None:
        super().__init__(widget)
        self._action = action
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self._action()
            return True
        return super().eventFilter(watched, event)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
