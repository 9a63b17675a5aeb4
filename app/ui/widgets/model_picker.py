"""Choosing a model: the server's list, filtered as you type, and free text always allowed.

Relays list hundreds of ids (chat, image, speech, embedding models mixed), some servers list none
(``GET /models`` answers 404), and some list ids the chat endpoint then refuses — so the list is a
help, never a constraint. :class:`ModelPicker` is an editable combo box whose completer matches
anywhere in the id, case-insensitively ("4o" finds ``gpt-4o-mini``), with chat-looking models
first. What it loaded is kept per server for the session in a :class:`ModelCatalog`, so switching
conversations never asks the server again; the refresh button asks on purpose.

The picker does not own a client: its owner calls ``await picker.load(client, key=…)`` (from a
task it can cancel) and reloads when ``refresh_requested`` fires. Empty text means "the profile's
default model"; the owner shows which one with :meth:`ModelPicker.set_default_model`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import APIError, NotFoundError
from app.ui.errors import user_message

if TYPE_CHECKING:
    from app.api.client import Client

__all__ = ["ModelCatalog", "ModelPicker", "is_chat_model", "sort_model_ids"]

log = logging.getLogger(__name__)

# Ids of models that do not answer /chat/completions: images, speech, transcription, embeddings,
# moderation, rerankers, legacy completion-only models and realtime sessions.
_NOT_CHAT = re.compile(
    r"embed|^text-(search|similarity|moderation)|moderation|rerank|"
    r"\btts\b|tts-|-tts|whisper|transcribe|speech|"
    r"dall-e|^gpt-image|^chatgpt-image|stable-diffusion|sdxl|^flux|midjourney|^mj[-_]|imagen|kling|^sora|veo-?\d|"
    r"^(text-)?(davinci|babbage|curie|ada)(-\d+)?$|-instruct$|realtime",
    re.IGNORECASE,
)


def is_chat_model(model_id: str) -> bool:
    """A guess from the id alone: False for ids that name image, audio or embedding models."""
    return _NOT_CHAT.search(model_id) is None


def sort_model_ids(ids: Iterable[str]) -> list[str]:
    """Unique ids, chat-looking ones first, each group in case-insensitive order."""
    unique = {i.strip() for i in ids if i and i.strip()}
    return sorted(unique, key=lambda i: (not is_chat_model(i), i.lower(), i))


class ModelCatalog:
    """Model ids per server (the caller's key: profile and base URL), kept for the session.

    Shared by the pickers that talk to the same servers; it only remembers successful loads, so a
    server that failed is asked again next time.
    """

    def __init__(self) -> None:
        self._ids: dict[str, list[str]] = {}

    def get(self, key: str) -> list[str] | None:
        ids = self._ids.get(key)
        return list(ids) if ids is not None else None

    def put(self, key: str, ids: Iterable[str]) -> list[str]:
        self._ids[key] = sort_model_ids(ids)
        return list(self._ids[key])

    def forget(self, key: str | None = None) -> None:
        if key is None:
            self._ids.clear()
        else:
            self._ids.pop(key, None)


class ModelPicker(QWidget):
    """An editable model combo box with a refresh button and a one-line hint under it."""

    #: The user changed the model (typed, picked from the list or the completer); "" = default.
    model_changed = Signal(str)
    #: The user pressed the refresh button: call ``load(client, refresh=True)``.
    refresh_requested = Signal()
    #: A load finished (successfully or not); the argument is the hint shown ("" when none).
    loaded = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, catalog: ModelCatalog | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog if catalog is not None else ModelCatalog()
        self._ids: list[str] = []
        self._last_emitted = ""
        self._updating = False
        self._loading = False

        self._combo = QComboBox(self)
        self._combo.setObjectName("model_combo")
        self._combo.setEditable(True)
        self._combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self._combo.setMaxVisibleItems(20)
        self._combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._combo.setMinimumContentsLength(12)
        self._combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._combo.setToolTip(self.tr("The model for this conversation. Type any model name; the list is what the server offers."))
        completer = QCompleter(self._combo.model(), self._combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(15)
        self._combo.setCompleter(completer)
        line_edit = self._combo.lineEdit()
        assert line_edit is not None
        line_edit.setClearButtonEnabled(True)
        self._combo.currentTextChanged.connect(self._on_text_changed)

        self._refresh = QToolButton(self)
        self._refresh.setObjectName("model_refresh")
        self._refresh.setText(self.tr("Reload"))
        self._refresh.setToolTip(self.tr("Ask the server for its models again"))
        self._refresh.setAutoRaise(True)
        self._refresh.clicked.connect(self.refresh_requested)

        self._hint = QLabel(self)
        self._hint.setObjectName("model_hint")
        self._hint.setWordWrap(True)
        self._hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._hint.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.9))
        self._hint.setFont(font)
        self._hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._hint.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(self._combo, 1)
        row.addWidget(self._refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self._hint)
        self.setFocusProxy(self._combo)

    # -- what the owner uses ---------------------------------------------------------------------

    @property
    def combo(self) -> QComboBox:
        return self._combo

    @property
    def refresh_button(self) -> QToolButton:
        return self._refresh

    @property
    def catalog(self) -> ModelCatalog:
        return self._catalog

    def model(self) -> str:
        """The model typed or chosen; "" means the profile's default."""
        return self._combo.currentText().strip()

    def set_model(self, model: str) -> None:
        """Show ``model`` without emitting ``model_changed`` (it is not the user's doing)."""
        model = model.strip()
        self._updating = True
        try:
            index = self._combo.findText(model, Qt.MatchFlag.MatchExactly) if model else -1
            if index >= 0:
                self._combo.setCurrentIndex(index)
            else:
                self._combo.setCurrentIndex(-1)
                self._combo.setEditText(model)
        finally:
            self._updating = False
        self._last_emitted = self.model()

    def set_default_model(self, model: str) -> None:
        """What empty text stands for, shown as the placeholder ("Default (gpt-4o-mini)")."""
        line_edit = self._combo.lineEdit()
        if line_edit is not None:
            text = self.tr("Default ({model})").format(model=model) if model else self.tr("Default model")
            line_edit.setPlaceholderText(text)

    def models(self) -> list[str]:
        """The ids offered in the list, in the order shown."""
        return list(self._ids)

    def hint(self) -> str:
        return self._hint.text() if not self._hint.isHidden() else ""

    def is_loading(self) -> bool:
        return self._loading

    def set_models(self, ids: Iterable[str]) -> None:
        """Offer these ids (sorted, chat-looking first), keeping whatever is typed."""
        ids = sort_model_ids(ids)
        text = self._combo.currentText()
        self._updating = True
        try:
            with QSignalBlocker(self._combo):
                self._combo.clear()
                chat = [i for i in ids if is_chat_model(i)]
                other = [i for i in ids if not is_chat_model(i)]
                self._combo.addItems(chat)
                if chat and other:
                    self._combo.insertSeparator(len(chat))
                self._combo.addItems(other)
                index = self._combo.findText(text.strip(), Qt.MatchFlag.MatchExactly) if text.strip() else -1
                self._combo.setCurrentIndex(index)
                if index < 0:
                    self._combo.setEditText(text)
        finally:
            self._updating = False
        self._ids = ids

    async def load(self, client: Client, *, key: str | None = None, refresh: bool = False) -> bool:
        """Fill the list from ``client.models.list()`` (or the catalog); True when a list came.

        Failures never raise (the user can always type a model): a server without ``/models``
        gets a hint saying so, other errors the usual sentence. Cancellation propagates.
        """
        key = key or client.base_url
        cached = None if refresh else self._catalog.get(key)
        if cached is not None:
            self.set_models(cached)
            self._set_hint("")
            self.loaded.emit("")
            return True
        self._set_loading(True)
        hint = ""
        ok = False
        try:
            models = await client.models.list()
        except NotFoundError:
            hint = self.tr("This server does not list its models — type a model name.")
            log.info("the server has no model list (404)")
        except APIError as exc:
            hint = self.tr("Could not load the models: {reason}").format(reason=user_message(exc))
            log.info("model list failed: %s", type(exc).__name__)
        else:
            self.set_models(self._catalog.put(key, (m.id for m in models)))
            if not models:
                hint = self.tr("The server lists no models — type a model name.")
            ok = True
        finally:
            self._set_loading(False)
        self._set_hint(hint)
        self.loaded.emit(hint)
        return ok

    def show_error(self, exc: BaseException) -> None:
        """Say why the list could not be asked for at all (no token, say), in the hint."""
        self._set_hint(self.tr("Could not load the models: {reason}").format(reason=user_message(exc)))

    # -- internals -------------------------------------------------------------------------------

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        self._refresh.setEnabled(not loading)
        if loading:
            self._set_hint(self.tr("Loading models…"))

    def _set_hint(self, text: str) -> None:
        self._hint.setText(text)
        self._hint.setVisible(bool(text))

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        if self._updating:
            return
        model = self.model()
        if model != self._last_emitted:
            self._last_emitted = model
            self.model_changed.emit(model)

