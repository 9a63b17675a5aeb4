"""Accessibility inside the tab pages and dialogs: every control named and explained, in both languages.

tests/ui/test_accessibility.py checks the window's own controls; this walks the controls *inside*
the Images, Voice and Chat pages, the Settings dialog's pages, the Models dialog and the status bar.
Each interactive control that is shown (or would be, once its tab or stacked page is current) must
have an accessible name — read the way a screen reader gets it, through ``QAccessible`` — and a
tooltip. The same pages are then built again with the Chinese translation installed (compiled from
resources/i18n/parla_zh_CN.ts) and every name and tooltip must come out translated.

The Chat tab is walked in every state that shows controls of its own (``chat_states``: messages
with Thinking, tool cards, the edit box, Undo, Retry/Continue, the tool confirmation, the settings
panel, a picture and its viewer, the By meaning consent and results, a completion with two choices).

The keyboard half: form captions reach their fields with Alt+letter (buddies), Tab follows the
layout (in the Chat tab through the controls of the messages on screen, in order), the gallery
and the conversation list work with Enter and the Menu key, the mask editor's tools show their
keys, and the pages' keys (push-to-talk included) are listed in Help ▸ Keyboard shortcuts.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QAccessible, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QStackedWidget,
    QTabBar,
    QTextEdit,
    QWidget,
)

from app.profiles import Capability, Profile
from app.resources import i18n_dir
from app.store import AsyncStore, database_path
from app.ui.context import AppContext
from tests.ui.conftest import run

CONTROLS = (
    QAbstractButton,  # push and tool buttons, check boxes, radio buttons, the Talk button
    QComboBox,
    QLineEdit,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabBar,
    QSlider,
    QPlainTextEdit,
    QTextEdit,
    QKeySequenceEdit,
)
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
TS = i18n_dir() / "parla_zh_CN.ts"
LRELEASE = Path(sys.executable).parent / "pyside6-lrelease"


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def _reachable(widget: QWidget, root: QWidget) -> bool:
    """Shown under ``root``, or would be once the tab / stacked page holding it is made current."""
    current: QWidget | None = widget
    while current is not None and current is not root:
        parent = current.parentWidget()
        if current.isHidden() and not isinstance(parent, QStackedWidget):
            return False
        current = parent
    return current is root


def visit_stacks(root: QWidget) -> None:
    """Show every page of every tab and stacked widget once (toolbars lay out their buttons only
    when first shown), then put each back on the page it was on."""
    for stack in root.findChildren(QStackedWidget):
        current = stack.currentIndex()
        for index in range(stack.count()):
            stack.setCurrentIndex(index)
            QApplication.processEvents()
        stack.setCurrentIndex(current)
    QApplication.processEvents()


def controls(root: QWidget) -> list[QWidget]:
    """The interactive controls of ``root`` a user can reach (Qt's own internals aside)."""
    visit_stacks(root)
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not _reachable(widget, root):
            continue
        if widget.objectName().startswith("qt_") and not isinstance(widget, QTabBar):
            continue  # Qt's internals (but a QTabWidget's own tab bar is one the user works)
        if isinstance(widget.parent(), (QComboBox, QAbstractSpinBox, QLineEdit, QKeySequenceEdit)):
            continue  # a combo box's list or line edit, a spin box's line edit, a line edit's clear button
        if isinstance(widget.parentWidget(), QTabBar):
            continue  # the tab bar's own scroll buttons
        found.append(widget)
    return found


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QAbstractButton, QLabel)) else ""
    return f"{type(widget).__name__} {widget.objectName()!r} {text!r} name={accessible_name(widget)!r}"


def _named(widget: QWidget) -> bool:
    if isinstance(widget, QComboBox):
        # On Linux, QAccessibleComboBox answers Name with the current choice ("Medium") and screen
        # readers take the name from the buddy label's relation; elsewhere accessibleName is read.
        # So a combo box needs its own accessibleName: "Quality", not its value.
        return bool(widget.accessibleName().strip())
    return bool(accessible_name(widget).strip())


def unnamed(root: QWidget) -> str:
    """Controls under ``root`` lacking an accessible name or a tooltip, one a line ("" if none)."""
    return "\n".join(_describe(w) for w in controls(root) if not _named(w) or not w.toolTip().strip())


def untranslated(root: QWidget, data: tuple[str, ...] = ()) -> str:
    """Controls whose name or tooltip has no Chinese (``data``: names that are the user's own text)."""
    bad = []
    for widget in controls(root):
        name = widget.accessibleName() if isinstance(widget, QComboBox) else accessible_name(widget)
        tip = widget.toolTip()
        # A name with no words ("100%") needs no translation; the user's own data stays as it is.
        if not CJK.search(tip) or (LATIN.search(name) and not CJK.search(name) and name not in data):
            bad.append(f"{_describe(widget)} tip={tip!r}")
    return "\n".join(bad)


def test_the_walk_sees_a_control_without_a_name_or_tooltip(qtbot: Any) -> None:
    """The checker itself: a bare line edit and an unexplained button are caught, hidden tabs too."""
    from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout

    root = QWidget()
    qtbot.addWidget(root)
    tabs = QTabWidget(root)
    tabs.tabBar().setToolTip("Pages")
    tabs.tabBar().setAccessibleName("Pages")
    first, second = QWidget(), QWidget()
    tabs.addTab(first, "One")
    tabs.addTab(second, "Two")
    named = QPushButton("Go", first)
    named.setToolTip("Goes")
    QVBoxLayout(second).addWidget(QLineEdit(second))
    hidden = QPushButton("Never shown", first)
    hidden.hide()
    root.show()
    assert [line.split()[0] for line in unnamed(root).splitlines()] == ["QLineEdit"]  # on the tab not shown
    named.setToolTip("")
    assert len(unnamed(root).splitlines()) == 2
    combo = QComboBox(first)
    combo.addItems(["Medium", "Large"])
    combo.setToolTip("How big")
    combo.show()
    assert "QComboBox" in unnamed(root)  # its name would only be its value
    combo.setAccessibleName("Size")
    assert "QComboBox" not in unnamed(root)


# -- pages and dialogs, built in the current language -------------------------------------------


@pytest.fixture
def connected(qtbot: Any, make_context: Any, vault: Any, loopback: Any) -> Iterator[AppContext]:
    """A context talking to the loopback server (token in the vault), with an open store."""
    profile = Profile(id="default", name="Loopback", base_url=loopback.base_url, timeout=10, connect_timeout=5,
                      models={str(Capability.IMAGE): "gpt-image-1"})
    vault.set(profile.id, loopback.token)
    base = make_context(profiles=[profile])
    store = run(qtbot, AsyncStore.open(database_path(base.locations.data)))
    context = dataclasses.replace(base, store=store)
    base.session.start()
    qtbot.waitUntil(lambda: base.session.client is not None, timeout=10000)
    try:
        yield context
    finally:
        run(qtbot, context.tasks.cancel_all())
        run(qtbot, store.close())


def _show(qtbot: Any, widget: QWidget, size: tuple[int, int] = (1200, 800)) -> QWidget:
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def build_images(qtbot: Any, context: AppContext) -> QWidget:
    from app.ui.images.page import ImagesPage

    page = ImagesPage(context)
    qtbot.addWidget(page)
    _show(qtbot, page)
    qtbot.waitUntil(lambda: page.controller.loaded, timeout=10000)
    return page


def build_voice(qtbot: Any, context: AppContext) -> QWidget:
    from app.ui.voice.page import VoicePage
    from tests.ui.voice.voice_fixtures import FakeAudio

    audio = FakeAudio()
    page = VoicePage(context, backend=audio.backend)
    qtbot.addWidget(page)
    page.destroyed.connect(lambda *_: audio.close())
    return _show(qtbot, page)


def build_settings(qtbot: Any, context: AppContext) -> QWidget:
    from app.ui.settings.dialog import SettingsDialog

    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.profiles_page.tokens_loaded, timeout=10000):
        dialog.open()
    return dialog


def build_models(qtbot: Any, context: AppContext) -> QWidget:
    from app.ui.models_dialog import ModelsDialog

    dialog = ModelsDialog(context)
    qtbot.addWidget(dialog)
    _show(qtbot, dialog, (900, 600))
    qtbot.waitUntil(lambda: dialog.proxy.rowCount() > 0, timeout=10000)
    return dialog


def build_status_bar(qtbot: Any, make_context: Any, loopback: Any) -> QWidget:
    """The status bar's widgets as the window adds them, on a profile without a token: the
    indicator then shows its Settings… button too (a connected profile has none to show)."""
    from PySide6.QtWidgets import QStatusBar

    from app.ui.status_bar import ConnectionIndicator, ProfileSwitcher

    context = make_context(profiles=[Profile(id="other", name="Loopback", base_url=loopback.base_url)])
    context.session.start()
    bar = QStatusBar()
    qtbot.addWidget(bar)
    bar.addPermanentWidget(ProfileSwitcher(context.session, bar))
    indicator = ConnectionIndicator(context.session, bar)
    bar.addPermanentWidget(indicator, 1)
    _show(qtbot, bar, (900, 30))
    qtbot.waitUntil(lambda: indicator.action_text() != "", timeout=10000)
    return bar


def build_chat(qtbot: Any, context: AppContext) -> QWidget:
    """Not qtbot.addWidget (as tests/ui/chat/chat_fixtures.py explains): the caller cancels the
    tasks first, then closes the page (see close_chat)."""
    from app.ui.chat.page import ChatPage

    page = ChatPage(context)
    _show(qtbot, page, (1000, 700))
    qtbot.wait(50)
    return page


def close_chat(qtbot: Any, context: AppContext, page: QWidget) -> None:
    from PySide6.QtCore import QEvent

    page.hide()
    run(qtbot, context.tasks.cancel_all())
    page.close()
    page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


PAGES: dict[str, Callable[[Any, AppContext], QWidget]] = {
    "images": build_images,
    "voice": build_voice,
    "models": build_models,
}


def _settings_pages(dialog: Any) -> dict[str, QWidget]:
    return {"profiles": dialog.profiles_page, "general": dialog.general_page, "voice": dialog._voice_page}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_controls_have_names_and_tooltips(qtbot: Any, connected: AppContext, name: str) -> None:
    root = PAGES[name](qtbot, connected)
    assert len(controls(root)) >= 2  # the walk found the page's controls
    missing = unnamed(root)
    assert not missing, "\n" + missing


def test_status_bar_controls_have_names_and_tooltips(qtbot: Any, make_context: Any, loopback: Any) -> None:
    bar = build_status_bar(qtbot, make_context, loopback)
    assert len(controls(bar)) == 2  # the profile switcher and the Settings… button
    missing = unnamed(bar)
    assert not missing, "\n" + missing


@pytest.mark.parametrize("name", ["profiles", "general", "voice"])
def test_settings_pages_have_names_and_tooltips(qtbot: Any, connected: AppContext, name: str) -> None:
    dialog = build_settings(qtbot, connected)
    page = _settings_pages(dialog)[name]
    assert len(controls(page)) >= 2
    missing = unnamed(page)
    assert not missing, "\n" + missing
    dialog.reject()


def _wait_reply(qtbot: Any, page: Any) -> Any:
    from app.store import MessageState

    def done() -> bool:
        items = page.model.items
        return bool(items) and items[-1].state is not MessageState.STREAMING and not page.controller.is_streaming()

    qtbot.waitUntil(done, timeout=15000)
    page.view.ensure_layout()
    qtbot.wait(30)
    return page.model.items[-1]


def _send(qtbot: Any, page: Any, text: str) -> Any:
    page.composer.editor.setPlainText(text)
    page.composer.send_button.click()
    # The question is in the list, its reply under it.
    qtbot.waitUntil(lambda: len(page.model.items) >= 2 and page.model.items[-2].text == text, timeout=10000)
    return _wait_reply(qtbot, page)


def chat_states(qtbot: Any, context: AppContext, page: Any, loopback: Any, folder: Path) -> Iterator[tuple[str, QWidget]]:
    """Every state of the Chat tab that shows controls of its own, one after the other: each is
    yielded as (what, the widget to walk). Driven through the loopback server, like a user would."""
    from PIL import Image

    from app.ui.chat.message_widget import MessageAction
    from app.ui.chat.tool_cards import ToolConfirmDialog
    from tests.loopback.server import Fault

    def tools_on(names: list[str], **extra: Any) -> None:
        settings = {"tools_enabled": True, "tools": names, **extra}
        run(qtbot, page.controller.update_settings(settings=settings))

    yield "an empty chat", page
    # A reply with Thinking (opened), the user's message above it.
    loopback.inject("/chat/completions", Fault(quirk=5))
    reply = _send(qtbot, page, "think about the zebra first")
    widget = page.view.widget_for(reply.id)
    assert widget is not None and widget.button(MessageAction.REGENERATE).isVisible()
    widget._thinking_button.click()
    yield "a reply with Thinking", page
    # The user's message in the edit-and-resend editor.
    user = page.model.items[-2]
    editor_widget = page.view.begin_edit(user.id)
    assert editor_widget is not None and editor_widget.editor is not None and editor_widget.editor.isVisible()
    yield "the edit-and-resend editor", page
    page.view.end_edit()
    # Tool cards, one of them opened.
    tools_on(["current_datetime", "calculator"])
    reply = _send(qtbot, page, "use all tools")
    widget = page.view.widget_for(reply.id)
    assert widget is not None and len(widget.tool_cards.cards) == 2
    widget.tool_cards.cards[0].header.click()
    yield "a reply with tool cards", page
    # The round limit: the error box with Retry and Continue.
    context.preferences.chat_tool_rounds = 1
    from tests.ui.chat.insistent_client import insist, relent

    insist(page.controller.session, "use tool calculator")  # a model still asking after the limit
    reply = _send(qtbot, page, "use tool calculator")
    relent(page.controller.session)
    widget = page.view.widget_for(reply.id)
    assert widget is not None and widget.button(MessageAction.CONTINUE).isVisible()
    assert widget.button(MessageAction.RETRY).isVisible()
    yield "a reply stopped by the round limit", page
    context.preferences.chat_tool_rounds = 8
    # A deleted message: the Undo bar.
    page.view.action_requested.emit(MessageAction.DELETE, reply.id)
    qtbot.waitUntil(lambda: page.view.undo_bar.isVisible(), timeout=10000)
    yield "the Undo bar after deleting a message", page
    # The tool confirmation dialog.
    tools_on(["generate_image"])
    page.composer.editor.setPlainText("use tool generate_image of a red fox")
    page.composer.send_button.click()
    qtbot.waitUntil(lambda: page.controller.confirmation is not None and page.controller.confirmation.isVisible(),
                    timeout=10000)
    dialog = page.controller.confirmation
    assert isinstance(dialog, ToolConfirmDialog)
    yield "the tool confirmation dialog", dialog
    dialog.deny_button.click()
    _wait_reply(qtbot, page)
    # The settings panel, its Tools section on.
    page.settings_button.setChecked(True)
    qtbot.waitUntil(lambda: page.settings_panel.isVisible())
    yield "the settings panel", page
    page.settings_button.setChecked(False)
    # A picture in the composer's strip.
    picture = folder / "square.png"
    Image.new("RGB", (300, 200), (10, 120, 200)).save(picture, "PNG")
    page.attach_image_file(str(picture))
    strip = page.composer.attachments
    qtbot.waitUntil(lambda: strip.count() == 1 and all(p.ready for p in strip.images()), timeout=10000)
    yield "a picture attached", page
    # Sent: its thumbnail in the message, opened in the viewer (from the keyboard: Enter on it).
    _send(qtbot, page, "look at this square")
    user = page.model.items[-2]
    widget = page.view.widget_for(user.id)
    assert widget is not None and widget.images.isVisible()
    thumb = widget.images.thumb(0)
    thumb.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(thumb, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.viewer is not None and page.viewer.isVisible(), timeout=10000)
    yield "the picture viewer", page.viewer
    page.viewer.close()
    qtbot.waitUntil(lambda: page.viewer is None, timeout=5000)
    # Search results, by meaning on (the line under the switch shows the indexing).
    page.sidebar.meaning_check.click()
    qtbot.waitUntil(lambda: page.semantic.confirmation is not None and page.semantic.confirmation.isVisible(),
                    timeout=10000)
    consent = page.semantic.confirmation
    yield "the By meaning consent question", consent
    consent.findChild(QAbstractButton, "meaning_turn_on").click()
    qtbot.waitUntil(lambda: page.sidebar.meaning_check.isChecked() and page.sidebar.meaning_bar.isVisible(),
                    timeout=10000)
    page.sidebar.search_edit.setText("zebra")
    qtbot.waitUntil(lambda: page.sidebar.results_view.isVisible(), timeout=10000)
    qtbot.wait(100)
    yield "search results, by meaning", page
    page.sidebar.search_edit.clear()
    # The completion view with two choices (and an error line shown).
    page.new_completion()
    qtbot.waitUntil(lambda: page.main_stack.currentWidget() is page.completion_view, timeout=5000)
    view = page.completion_view
    view.editor.setPlainText("Names")
    view.parameters_panel.n_spin.setValue(2)
    view.parameters_panel.flush()
    view.complete_button.click()
    qtbot.waitUntil(lambda: not view.controller.is_streaming() and view.complete_button.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: view.choices_bar.isVisible(), timeout=5000)
    yield "a text completion with two choices", page


def walk_chat(qtbot: Any, context: AppContext, loopback: Any, folder: Path,
              check: Callable[[QWidget], str]) -> dict[str, str]:
    """``check`` run on every state of the Chat tab: {state: what it found} for those it faulted."""
    page = build_chat(qtbot, context)
    faults: dict[str, str] = {}
    reported: set[str] = set()
    seen = 0
    try:
        for state, root in chat_states(qtbot, context, page, loopback, folder):
            seen += len(controls(root))
            # Each fault once, in the first state that shows it (the composer is in all of them).
            found = [line for line in check(root).splitlines() if line not in reported]
            reported.update(found)
            if found:
                faults[state] = "\n".join(found)
    finally:
        close_chat(qtbot, context, page)
    assert seen >= 100  # the walk saw the controls of every state
    return faults


def _report(faults: dict[str, str]) -> str:
    return "".join(f"\n-- {state}:\n{found}" for state, found in faults.items())


def test_chat_page_controls_have_names_and_tooltips(qtbot: Any, connected: AppContext, loopback: Any,
                                                    tmp_path: Path) -> None:
    """Every state of the Chat tab: messages and their actions, Thinking, tool cards, the editor,
    Undo, the confirmation dialog, the settings panel, a picture, search by meaning, completions."""
    faults = walk_chat(qtbot, connected, loopback, tmp_path, unnamed)
    assert not faults, _report(faults)


# -- the same in Chinese ------------------------------------------------------------------------


@pytest.fixture
def chinese(qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Chinese installed as app.main does it (Parla's, compiled from the .ts now, and Qt's own)."""
    from app.main import install_translators

    folder = tmp_path / "i18n"
    folder.mkdir()
    subprocess.run([str(LRELEASE), "-silent", str(TS), "-qm", str(folder / "parla_zh_CN.qm")], check=True)
    monkeypatch.setattr("app.main.i18n_dir", lambda: folder)
    default_locale = QLocale()
    translators = install_translators(qapp, "zh_CN")
    try:
        assert QCoreApplication.translate("MainWindow", "&Quit") != "&Quit"
        yield
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(default_locale)


# Names that are the user's data, not words of Parla's: the profile's name, a model id.
DATA = ("Loopback", "gpt-image-1")


@pytest.mark.parametrize("name", list(PAGES))
def test_page_names_and_tooltips_are_translated(qtbot: Any, connected: AppContext, chinese: None, name: str) -> None:
    root = PAGES[name](qtbot, connected)
    missing = untranslated(root, DATA)
    assert not missing, "\n" + missing


def test_status_bar_names_and_tooltips_are_translated(qtbot: Any, make_context: Any, loopback: Any,
                                                       chinese: None) -> None:
    missing = untranslated(build_status_bar(qtbot, make_context, loopback), DATA)
    assert not missing, "\n" + missing


# The user's own words in the chat states (the tools' names are the model's words, sent as they are).
CHAT_DATA = (*DATA, "gpt-4o-mini")


def test_chat_names_and_tooltips_are_translated(qtbot: Any, connected: AppContext, loopback: Any, chinese: None,
                                                 tmp_path: Path) -> None:
    faults = walk_chat(qtbot, connected, loopback, tmp_path, lambda root: untranslated(root, CHAT_DATA))
    assert not faults, _report(faults)


@pytest.mark.parametrize("name", ["profiles", "general", "voice"])
def test_settings_names_and_tooltips_are_translated(qtbot: Any, connected: AppContext, chinese: None,
                                                    name: str) -> None:
    dialog = build_settings(qtbot, connected)
    missing = untranslated(_settings_pages(dialog)[name], DATA)
    assert not missing, "\n" + missing
    dialog.reject()


# -- the keyboard -------------------------------------------------------------------------------


def _activate(qtbot: Any, widget: QWidget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window())


def _field_has_control(item: Any) -> bool:
    """A form row's field is (or its row layout holds) something the keyboard can work."""
    layout = item.layout()
    if item.widget() is not None:
        widgets = [item.widget()]
    elif layout is not None:
        widgets = [layout.itemAt(i).widget() for i in range(layout.count()) if layout.itemAt(i).widget()]
    else:
        widgets = []
    return any(isinstance(w, (*CONTROLS, QKeySequenceEdit)) or w.focusProxy() is not None for w in widgets)


def labels_without_buddy(root: QWidget) -> str:
    """Form captions beside a control that Alt+letter cannot reach (no buddy), one a line."""
    from PySide6.QtWidgets import QFormLayout

    missing = []
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is None or field is None or not isinstance(label.widget(), QLabel):
                continue
            caption = label.widget()
            buddy = caption.buddy()
            # QLabel gives the focus only to a buddy that takes it (a box with a focus proxy does not).
            if caption.text() and _field_has_control(field) and (
                buddy is None or "&" not in caption.text() or buddy.focusPolicy() == Qt.FocusPolicy.NoFocus
            ):
                missing.append(f"{caption.text()!r} buddy={type(buddy).__name__}")
    return "\n".join(missing)


@pytest.mark.parametrize("name", ["profiles", "voice"])
def test_settings_form_captions_have_buddies_and_mnemonics(qtbot: Any, connected: AppContext, name: str) -> None:
    dialog = build_settings(qtbot, connected)
    missing = labels_without_buddy(_settings_pages(dialog)[name])
    assert not missing, "\n" + missing
    dialog.reject()


def test_voice_page_captions_have_buddies_and_mnemonics(qtbot: Any, connected: AppContext) -> None:
    missing = labels_without_buddy(build_voice(qtbot, connected))
    assert not missing, "\n" + missing


def test_alt_letter_moves_the_focus_to_the_field(qtbot: Any, connected: AppContext) -> None:
    """Mnemonics really work: Alt+P in the profile form reaches Proxy, Alt+K the push-to-talk key."""
    dialog = build_settings(qtbot, connected)
    _activate(qtbot, dialog)
    page = dialog.profiles_page
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page._proxy_combo
    qtbot.keyClick(dialog, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is page.token_edit.line_edit  # through SecretEdit's focus proxy
    dialog.show_page(dialog.VOICE)
    qtbot.keyClick(dialog, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    focus = QApplication.focusWidget()
    assert focus is not None and dialog._voice_page.isAncestorOf(focus)
    assert isinstance(focus.parentWidget(), QKeySequenceEdit) or isinstance(focus, QKeySequenceEdit)
    dialog.reject()


def _tab_through(qtbot: Any, start: QWidget, steps: int) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    visited = [QApplication.focusWidget()]
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    return visited


def _focus_target(widget: QWidget) -> QWidget:
    """Where the focus lands when Tab reaches ``widget`` (an editable combo box's line edit…)."""
    return widget.focusProxy() or widget


def test_tab_follows_the_images_panels_layout(qtbot: Any, connected: AppContext) -> None:
    """Tab goes model → prompt → options → Generate, also after another model rebuilt the options."""
    page = build_images(qtbot, connected)
    _activate(qtbot, page)
    for panel in (page.generate_panel, page.edit_panel, page.variation_panel):
        page.mode_tabs.setCurrentWidget(panel)
        for model in ("gpt-image-1", "dall-e-2"):
            panel.model_box.set_model(model)
            QApplication.processEvents()
            expected = [w for w in panel.tab_chain() if w.isVisible() and w.isEnabled()
                        and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
            assert expected[-1] is panel.run_bar.run_button
            visited = _tab_through(qtbot, panel.model_box, len(expected) - 1)
            focus_of = {id(_focus_target(w)): w for w in expected}
            assert [focus_of.get(id(w), w) for w in visited] == expected, model


def test_keyboard_shortcuts_of_the_pages_are_listed_under_help(
    qtbot: Any, connected: AppContext, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Help ▸ Keyboard shortcuts lists the pages' keys: the gallery's Enter and Menu key, the mask
    tools, the push-to-talk key (following its preference), and each tooltip names the key too."""
    import functools

    from app.ui import main_window
    from app.ui.images.page import ImagesPage
    from app.ui.voice.page import VoicePage
    from tests.ui.voice.voice_fixtures import FakeAudio

    audio = FakeAudio()
    pages = ("app.ui.pages:PlaceholderPage", ImagesPage, functools.partial(VoicePage, backend=audio.backend))
    monkeypatch.setattr(main_window, "TAB_PAGES", pages)
    window = make_window(connected)
    window.show()
    qtbot.waitExposed(window)
    try:
        listed = {(e.scope, e.description): e.keys for e in window.shortcut_entries()}
        assert "Return" in listed[("Images", "Open")]
        assert listed[("Images", "Show what can be done with the selected pictures")] == ("Menu", "Shift+F10")
        assert listed[("Images", "Invert")] == ("I",)
        assert listed[("Images", "Show mask")] == ("M",)
        assert listed[("Images", "Remove the selected picture from the edit")][0] == "Del"
        assert listed[("Voice", "Hold to talk (while the conversation has the focus)")] == ("Space",)

        images = window.page(1)
        editor = images.edit_panel.editor
        for action in editor.actions():
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            assert key and f"({key})" in action.toolTip(), action.text()
        assert "B" in editor.tool_buttons["brush"].toolTip()  # the buttons show the actions' tooltips

        connected.preferences.voice_push_to_talk_key = "F8"
        voice = window.page(2)
        qtbot.waitUntil(lambda: "F8" in voice.talk_button.toolTip())
        listed = {(e.scope, e.description): e.keys for e in window.shortcut_entries()}
        assert listed[("Voice", "Hold to talk (while the conversation has the focus)")] == ("F8",)
    finally:
        window.close()
        audio.close()


# A popup on the offscreen platform warns that it cannot raise or grab the keyboard; nothing is wrong.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing")
def test_the_gallery_works_from_the_keyboard(qtbot: Any, connected: AppContext) -> None:
    """A picture made through the loopback server: Delete and Ctrl+Z (the focus stays in the
    gallery when it empties), the Menu key shows its actions, Enter opens it in the viewer, Esc
    goes back."""
    from PySide6.QtWidgets import QMenu

    page = build_images(qtbot, connected)
    _activate(qtbot, page)
    page.generate_panel.prompt.set_text("a red square")
    with qtbot.waitSignal(page.request_finished, timeout=15000):
        page.trigger_main_action()  # Ctrl+Enter (the window's shortcut calls this)
    view = page.gallery_panel.view
    qtbot.waitUntil(lambda: view.model().rowCount() > 0, timeout=10000)
    view.setFocus(Qt.FocusReason.TabFocusReason)
    view.setCurrentIndex(view.model().index(0, 0))

    # Delete, then Ctrl+Z while the Undo bar shows: the picture comes back without the mouse.
    undo = page.gallery_panel.undo_bar
    assert not undo.undo_action.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: undo.isVisible() and view.model().rowCount() == 0, timeout=10000)
    assert "Ctrl+Z" in undo.undo_button.toolTip()
    focus = QApplication.focusWidget()  # the gallery emptied: the focus stays in it, not nowhere
    assert focus is not None and page.gallery_panel.isAncestorOf(focus)
    qtbot.keyClick(focus, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.model().rowCount() == 1 and not undo.isVisible(), timeout=10000)
    assert not undo.undo_action.isEnabled()
    assert QApplication.focusWidget() is view  # and goes back to the pictures

    view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Menu)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert menu.objectName() == "gallery_menu"
    assert menu.actions()[0].text() == "Open" and menu.actions()[0].isEnabled()
    menu.close()

    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stage.currentWidget() is page.viewer)
    qtbot.waitUntil(lambda: page.viewer.isAncestorOf(QApplication.focusWidget()))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.stage.currentWidget() is page.gallery_panel)


def test_tab_follows_the_voice_conversation_layout(qtbot: Any, connected: AppContext) -> None:
    page = build_voice(qtbot, connected)
    _activate(qtbot, page)
    expected = [w for w in page.tab_chain() if w.isVisible() and w.isEnabled()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert page.talk_button in expected and len(expected) >= 4
    assert _tab_through(qtbot, expected[0], len(expected) - 1) == expected


def test_tab_follows_the_chat_page_layout(qtbot: Any, connected: AppContext, loopback: Any, tmp_path: Path) -> None:
    """Sidebar → toolbar → the message list → the controls of the messages on screen, in the order
    they show → the composer → Send → Attach; Shift+Tab comes back the same way. A message's
    action works from there with Space (Regenerate asks the server again)."""
    from app.ui.chat.message_widget import MessageAction

    page = build_chat(qtbot, connected)
    try:
        _send(qtbot, page, "hello there")
        reply = _send(qtbot, page, "and a second question")
        page.composer.editor.setPlainText("a draft")
        _activate(qtbot, page)
        messages = page.view.message_controls()
        regenerate = page.view.widget_for(reply.id).button(MessageAction.REGENERATE)
        names = [w.objectName() for w in messages]
        assert names.count("copy_button") == 4 and names[-3:] == ["copy_button", "regenerate_button", "delete_button"]
        tops = [w.mapTo(page, w.rect().topLeft()).y() for w in messages]
        assert tops == sorted(tops)  # top to bottom, whatever widget the list recycled for a row
        sidebar = page.sidebar
        expected = [sidebar.new_button, sidebar.new_menu_button, sidebar.search_edit, sidebar.meaning_check,
                    sidebar.list_view, page.findChild(QWidget, "export_button"), page.settings_button, page.view,
                    *messages, page.composer.editor, page.composer.send_button, page.composer.attach_button]
        assert _tab_through(qtbot, sidebar.new_button, len(expected) - 1) == expected
        back = [QApplication.focusWidget()]
        for _ in range(4):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
            back.append(QApplication.focusWidget())
        assert back == [page.composer.attach_button, page.composer.send_button, page.composer.editor, page.view,
                        page.settings_button]
        messages[2].setFocus(Qt.FocusReason.TabFocusReason)  # Shift+Tab inside the messages goes back one
        qtbot.keyClick(messages[2], Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is messages[1]
        # Into the messages again, on to Regenerate, and Space presses it.
        page.view.setFocus(Qt.FocusReason.TabFocusReason)
        while QApplication.focusWidget() is not regenerate:
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            assert page.view.isAncestorOf(QApplication.focusWidget())
        asked = len(loopback.requests_to("/chat/completions"))
        qtbot.keyClick(regenerate, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: len(loopback.requests_to("/chat/completions")) == asked + 1, timeout=10000)
        _wait_reply(qtbot, page)
        # Pictures attached later: their remove buttons come after Send, before the detail choice.
        from PIL import Image

        for name in ("one.png", "two.png"):
            Image.new("RGB", (120, 80), (200, 20, 20)).save(tmp_path / name, "PNG")
            page.attach_image_file(str(tmp_path / name))
        strip = page.composer.attachments
        qtbot.waitUntil(lambda: strip.count() == 2 and all(p.ready for p in strip.images()), timeout=10000)
        removes = [w for w in strip.findChildren(QAbstractButton, "attachment_remove") if w.isVisible()]
        composer = [page.composer.editor, page.composer.send_button, *removes, strip.detail_combo,
                    page.composer.attach_button]
        assert _tab_through(qtbot, page.composer.editor, len(composer) - 1) == composer
    finally:
        close_chat(qtbot, connected, page)


@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing")
def test_the_menu_key_shows_the_current_conversations_menu(qtbot: Any, connected: AppContext, loopback: Any) -> None:
    from PySide6.QtWidgets import QMenu

    page = build_chat(qtbot, connected)
    try:
        _send(qtbot, page, "first chat")
        first = page.controller.current_id
        page.new_chat()
        qtbot.waitUntil(lambda: not page.model.items, timeout=10000)
        qtbot.wait(50)
        _send(qtbot, page, "second chat")
        second = page.controller.current_id
        _activate(qtbot, page)
        view = page.sidebar.list_view
        model = page.sidebar.model
        qtbot.waitUntil(lambda: model.row_of(first) >= 0 and model.row_of(second) >= 0, timeout=10000)
        view.setFocus(Qt.FocusReason.TabFocusReason)
        view.setCurrentIndex(model.index(model.row_of(first), 0))  # the older one: the menu is the current row's
        qtbot.waitUntil(lambda: page.controller.current_id == first, timeout=10000)
        qtbot.keyClick(view, Qt.Key.Key_Menu)
        qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
        menu = QApplication.activePopupWidget()
        assert [a.objectName() for a in menu.actions() if a.objectName()] == ["rename_action", "pin_action", "delete_action"]
        row = view.visualRect(view.currentIndex())
        assert view.viewport().mapToGlobal(row.topLeft()).y() <= menu.pos().y() <= view.viewport().mapToGlobal(row.bottomLeft()).y() + 1
        menu.actions()[0].trigger()  # Rename: the row's editor opens
        qtbot.waitUntil(lambda: view.state() == QAbstractItemView.State.EditingState)
    finally:
        close_chat(qtbot, connected, page)


def test_tab_leaves_the_completion_editor_and_walks_its_parameters(qtbot: Any, connected: AppContext,
                                                                    loopback: Any) -> None:
    """The completion view from the keyboard: Tab leaves the document (no trap) for Complete and
    then each parameter, every stop a named control; no blank stops (the scroll area)."""
    page = build_chat(qtbot, connected)
    try:
        page.new_completion()
        qtbot.waitUntil(lambda: page.main_stack.currentWidget() is page.completion_view, timeout=5000)
        view = page.completion_view
        view.editor.setPlainText("Names")
        _activate(qtbot, page)
        visited = _tab_through(qtbot, view.editor, 13)
        assert visited[1] is view.complete_button
        assert view.editor.toPlainText() == "Names"  # Tab moved on, it typed nothing
        panel = view.parameters_panel
        assert panel.n_spin in visited and visited[-1] is panel.findChild(QWidget, "completion_suffix")
        assert all(_named(w) and w.toolTip() for w in visited), [_describe(w) for w in visited if not _named(w)]
    finally:
        close_chat(qtbot, connected, page)
