"""The Voice tab: push-to-talk conversations spoken while they stream, and the audio tools.

Four panes: **Conversation** (the Talk button with its level meter and elapsed time, the transcript
of the open voice conversation, New / Continue, the hands-free and speak-answers switches),
**Transcribe or translate** a file, **Speak text**, and **Settings** (the same form as the Settings
dialog's Voice page, applied at once). The logic lives in :class:`VoiceController`; this module
turns clicks and keys into its calls and shows what it reports.

Push to talk: hold the Talk button, or hold the push-to-talk key (Space unless changed) while the
focus is in the conversation pane — not in a text field, where the key types. Auto-repeat is
ignored; a key held while the window loses the focus is treated as released (its release will
never arrive). The microphone is *armed* while the tab is visible (and while hands-free is on), so
pressing Talk records at once; on systems where opening a sound stream stalls for seconds that
stall happens when the tab is shown, not when the user starts speaking.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QHideEvent, QKeyEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.store import ConversationKind
from app.ui.context import AppContext
from app.ui.voice.backend import AudioBackend
from app.ui.voice.controller import Action, Mode, Phase, VoiceController
from app.ui.voice.settings_form import VoiceSettingsForm, push_to_talk_sequence
from app.ui.voice.status_line import StatusLine
from app.ui.voice.talk_button import LevelMeter, TalkButton
from app.ui.voice.tools import SpeakTool, TranscribeTool
from app.ui.voice.transcript import TranscriptView

__all__ = ["VoicePage"]

#: The meter and clock refresh this often while the microphone is open (ms).
METER_INTERVAL_MS = 40
#: The countdown shows in the last this many seconds of the maximum length.
COUNTDOWN_SECONDS = 10


class VoicePage(QWidget):
    """The Voice tab's page (see the module docstring)."""

    CONVERSATION, TRANSCRIBE, SPEAK, SETTINGS = range(4)

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 backend: AudioBackend | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voice_page")
        self._context = context
        # No Qt parent: the controller's tasks may still unwind after the page's C++ object is gone
        # (window closed at exit, a test's teardown); Python keeps it alive while they need it.
        self._controller = VoiceController(context, backend)
        self._key_held = False
        controller = self._controller
        tasks = context.tasks
        self.destroyed.connect(lambda *_: _close_controller(controller, tasks))

        # -- conversation pane ------------------------------------------------------------------
        self._pane = QWidget(self)
        self._pane.setObjectName("voice_conversation_pane")
        self._title = QLabel(self._pane)
        self._title.setObjectName("voice_conversation_title")
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        self._title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        self._continue_button = QToolButton(self._pane)
        self._continue_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self._continue_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._continue_action = QAction(self.tr("Continue latest"), self)
        self._continue_action.triggered.connect(self._on_continue_triggered)
        self._continue_button.setDefaultAction(self._continue_action)
        self._recent_menu = QMenu(self._continue_button)
        self._continue_button.setMenu(self._recent_menu)
        self._new_button = QPushButton(self.tr("New conversation"), self._pane)
        self._new_button.clicked.connect(controller.new_conversation)
        self._transcript = TranscriptView(self._pane)
        self._transcript.setModel(controller.model)
        self._empty_hint = QLabel(self._pane)
        self._empty_hint.setWordWrap(True)
        self._empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._status = StatusLine(self._pane)
        self._status.action_triggered.connect(controller.retry)

        self._talk = TalkButton(self._pane)
        self._talk.setAccessibleName(self.tr("Talk"))
        self._talk.pressed.connect(self._on_talk_pressed)
        self._talk.released.connect(self._on_talk_released)
        self._meter = LevelMeter(self._pane)
        self._meter.setAccessibleName(self.tr("Microphone level"))
        self._clock = QLabel(self._pane)
        self._clock.setObjectName("voice_clock")
        self._clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hint = QLabel(self._pane)
        self._hint.setWordWrap(True)
        self._hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._hands_free = QCheckBox(self.tr("Hands-free"), self._pane)
        self._hands_free.setToolTip(self.tr("Parla listens, and starts and ends your turns by itself. "
                                            "It does not listen while it speaks."))
        self._hands_free.toggled.connect(self._on_hands_free_toggled)
        self._speak_answers = QCheckBox(self.tr("Speak answers"), self._pane)
        self._speak_answers.setChecked(context.preferences.voice_speak_answers)
        self._speak_answers.setToolTip(self.tr("Read the assistant's answers out loud"))
        self._new_button.setToolTip(self.tr("Start a new voice conversation (the current one is kept)"))
        self._continue_button.setAccessibleName(self.tr("Continue a conversation"))
        self._transcript.setAccessibleName(self.tr("Conversation transcript"))
        self._transcript.setToolTip(self.tr("What you said and what the assistant answered"))
        # The push-to-talk key is handled by eventFilter (press and release both matter, which a
        # shortcut cannot see). This action carries the key so Help ▸ Keyboard shortcuts lists it;
        # the filter takes the key first, so it only acts should the filter ever miss a press.
        self._push_to_talk_action = QAction(self.tr("Hold to talk (while the conversation has the focus)"), self)
        self._push_to_talk_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._push_to_talk_action.triggered.connect(self._controller.toggle)
        self._speak_answers.toggled.connect(self._on_speak_answers_toggled)

        header = QHBoxLayout()
        header.addWidget(self._title, 1)
        header.addWidget(self._continue_button)
        header.addWidget(self._new_button)
        talk_column = QVBoxLayout()
        talk_column.setSpacing(6)
        talk_column.addWidget(self._talk, 0, Qt.AlignmentFlag.AlignHCenter)
        talk_column.addWidget(self._meter)
        talk_column.addWidget(self._clock)
        controls = QHBoxLayout()
        controls.addWidget(self._hands_free, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        controls.addLayout(talk_column)
        controls.addWidget(self._speak_answers, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
        pane_layout = QVBoxLayout(self._pane)
        pane_layout.addLayout(header)
        pane_layout.addWidget(self._transcript, 1)
        pane_layout.addWidget(self._empty_hint, 1)
        pane_layout.addWidget(self._status)
        pane_layout.addLayout(controls)
        pane_layout.addWidget(self._hint)

        # -- tools ------------------------------------------------------------------------------
        self._transcribe_tool = TranscribeTool(context, controller, self)
        self._speak_tool = SpeakTool(context, controller, self)
        self._settings = VoiceSettingsForm(context, self, backend=controller.backend, auto_apply=True)
        self._tabs = QTabWidget(self)
        self._tabs.setObjectName("voice_tabs")
        self._tabs.setDocumentMode(True)
        # Alt+C, Alt+N, Alt+X, Alt+G switch panes (letters no field of the panes uses).
        self._tabs.addTab(self._pane, self.tr("&Conversation"))
        self._tabs.addTab(self._transcribe_tool, self.tr("Tra&nscribe or translate"))
        self._tabs.addTab(self._speak_tool, self.tr("Speak te&xt"))
        self._tabs.addTab(self._settings, self.tr("Settin&gs"))
        self._tabs.setTabToolTip(self.CONVERSATION, self.tr("Talk with the assistant (Alt+C)"))
        self._tabs.setTabToolTip(self.TRANSCRIBE, self.tr("Turn an audio or video file into text (Alt+N)"))
        self._tabs.setTabToolTip(self.SPEAK, self.tr("Have a text read aloud, or saved as audio (Alt+X)"))
        self._tabs.setTabToolTip(self.SETTINGS, self.tr("Microphone, speakers, models and voice (Alt+G)"))
        self._tabs.tabBar().setAccessibleName(self.tr("Voice tools"))
        self._tabs.tabBar().setToolTip(self.tr("Conversation, transcription, speech and settings"))
        self._tabs.currentChanged.connect(self._on_pane_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._tabs)

        # Keys: the push-to-talk key works wherever the focus is in the conversation pane, except
        # in the widgets where it already means something (buttons and check boxes it clicks).
        for watched in (self._pane, self._talk, self._transcript, self._transcript.viewport(), self._title):
            watched.installEventFilter(self)

        self._meter_timer = QTimer(self)
        self._meter_timer.setInterval(METER_INTERVAL_MS)
        self._meter_timer.timeout.connect(self._update_meter)

        controller.phase_changed.connect(self._on_phase_changed)
        controller.status_changed.connect(self._on_status_changed)
        controller.conversation_changed.connect(self._update_title)
        controller.recent_changed.connect(self._update_recent)
        controller.mic_changed.connect(self._on_mic_changed)
        controller.model.rowsInserted.connect(self._update_empty_hint)
        controller.model.modelReset.connect(self._update_empty_hint)
        context.preferences.changed.connect(self._on_preference_changed)
        self._talk.addAction(self._push_to_talk_action)
        # Tab in reading order: the header, the transcript, then left to right under it.
        chain = self.tab_chain()
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self._talk)
        self._continue_button.setVisible(context.store is not None)
        self._update_title()
        self._update_recent()
        self._update_hint()
        self._update_empty_hint()
        self._on_phase_changed(controller.phase.value)

    def tab_chain(self) -> list[QWidget]:
        """The conversation pane's controls in the order Tab visits them."""
        return [self._continue_button, self._new_button, self._transcript, self._status.button,
                self._hands_free, self._talk, self._speak_answers]

    # -- TabPage ------------------------------------------------------------------------------
    def focus_main_input(self) -> None:
        self._tabs.setCurrentIndex(self.CONVERSATION)
        self._talk.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def trigger_main_action(self) -> None:
        """Ctrl+Enter: talk (start, then send), transcribe the file, or speak the text."""
        pane = self._tabs.currentIndex()
        if pane == self.CONVERSATION:
            self._controller.toggle()
        elif pane == self.TRANSCRIBE:
            self._transcribe_tool.start()
        elif pane == self.SPEAK:
            self._speak_tool.play()

    def start_push_to_talk(self) -> None:
        """The tray's Push to talk: record until Talk is pressed again or the user falls silent."""
        self._tabs.setCurrentIndex(self.CONVERSATION)
        self._talk.setFocus(Qt.FocusReason.OtherFocusReason)
        if self._controller.phase is not Phase.RECORDING:
            self._controller.toggle()

    # -- parts (tests, screenshots) -------------------------------------------------------------
    @property
    def controller(self) -> VoiceController:
        return self._controller

    @property
    def talk_button(self) -> TalkButton:
        return self._talk

    @property
    def level_meter(self) -> LevelMeter:
        return self._meter

    @property
    def clock(self) -> QLabel:
        return self._clock

    @property
    def status_line(self) -> StatusLine:
        return self._status

    @property
    def transcript_view(self) -> TranscriptView:
        return self._transcript

    @property
    def hands_free_check(self) -> QCheckBox:
        return self._hands_free

    @property
    def speak_answers_check(self) -> QCheckBox:
        return self._speak_answers

    @property
    def new_button(self) -> QPushButton:
        return self._new_button

    @property
    def continue_action(self) -> QAction:
        return self._continue_action

    @property
    def recent_menu(self) -> QMenu:
        return self._recent_menu

    @property
    def title_label(self) -> QLabel:
        return self._title

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    @property
    def transcribe_tool(self) -> TranscribeTool:
        return self._transcribe_tool

    @property
    def speak_tool(self) -> SpeakTool:
        return self._speak_tool

    @property
    def settings_form(self) -> VoiceSettingsForm:
        return self._settings

    # -- events -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._controller.set_visible(True)
        self._controller.load_recent()
        self._meter_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._release_key()
        self._controller.set_visible(False)
        if not self._controller.hands_free:
            self._meter_timer.stop()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and not self.isActiveWindow():
            self._release_key()  # the key's release goes to another window now

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride) \
                and isinstance(event, QKeyEvent) and self._is_push_to_talk_key(event, kind):
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # no window shortcut takes the key from us
                return True
            if event.isAutoRepeat():
                return True
            if kind == QEvent.Type.KeyPress:
                if not self._key_held:
                    self._key_held = True
                    self._controller.press()
            else:
                self._release_key()
            return True
        if kind == QEvent.Type.FocusOut and watched is self._talk:
            # Focus moved on (Tab, a click elsewhere): a held key's release will go elsewhere.
            QTimer.singleShot(0, self._release_key_if_focus_left)
        return super().eventFilter(watched, event)

    def _is_push_to_talk_key(self, event: QKeyEvent, kind: QEvent.Type) -> bool:
        combination = push_to_talk_sequence(self._context.preferences.voice_push_to_talk_key)[0]
        if kind == QEvent.Type.KeyRelease:
            return event.key() == combination.key()  # modifiers may already be up
        return event.keyCombination() == combination

    def _release_key(self) -> None:
        if self._key_held:
            self._key_held = False
            self._controller.release()

    def _release_key_if_focus_left(self) -> None:
        focus = self.focusWidget()
        if focus is None or not self._pane.isAncestorOf(focus):
            self._release_key()

    # -- reactions ----------------------------------------------------------------------------
    @Slot()
    def _on_talk_pressed(self) -> None:
        self._controller.press()

    @Slot()
    def _on_talk_released(self) -> None:
        self._controller.release()

    @Slot(bool)
    def _on_hands_free_toggled(self, on: bool) -> None:
        self._controller.set_hands_free(on)
        if on:
            self._meter_timer.start()
        self._on_phase_changed(self._controller.phase.value)

    @Slot(bool)
    def _on_speak_answers_toggled(self, on: bool) -> None:
        self._context.preferences.voice_speak_answers = on

    @Slot(str)
    def _on_preference_changed(self, name: str) -> None:
        if name == "voice_speak_answers":
            self._speak_answers.setChecked(self._context.preferences.voice_speak_answers)
        elif name == "voice_push_to_talk_key":
            self._update_hint()

    @Slot(int)
    def _on_pane_changed(self, index: int) -> None:
        if index != self.CONVERSATION:
            self._release_key()

    @Slot()
    def _on_continue_triggered(self) -> None:
        self._controller.continue_conversation(None)

    @Slot(str)
    def _on_phase_changed(self, value: str) -> None:
        phase = Phase(value)
        controller = self._controller
        hands_free = controller.hands_free
        if phase is Phase.RECORDING:
            self._talk.set_state("recording")
            held = controller.mode is Mode.HOLD
            self._talk.setText(self.tr("Release to send") if held else self.tr("Listening… press to send"))
        elif phase is Phase.TRANSCRIBING:
            self._talk.set_state("busy")
            self._talk.setText(self.tr("Transcribing…"))
        elif phase is Phase.ANSWERING:
            self._talk.set_state("busy")
            self._talk.setText(self.tr("Answering… press to interrupt"))
        elif phase is Phase.SPEAKING:
            self._talk.set_state("speaking")
            self._talk.setText(self.tr("Speaking… press to interrupt"))
        else:
            self._talk.set_state("ready")
            self._talk.setText(self.tr("Listening") if hands_free else self.tr("Hold to talk"))
        self._talk.updateGeometry()
        if phase is not Phase.RECORDING:
            self._talk.set_level(0.0)
        self._update_meter()

    @Slot(str, str, str)
    def _on_status_changed(self, kind: str, text: str, action: str) -> None:
        labels = {Action.RETRY.value: self.tr("Retry"), Action.SEND.value: self.tr("Send"),
                  Action.RETRY_ANSWER.value: self.tr("Retry")}
        self._status.show_message(kind, text, labels.get(action, ""))

    @Slot()
    def _on_mic_changed(self) -> None:
        self._update_meter()

    @Slot()
    def _update_meter(self) -> None:
        recorder = self._controller.recorder
        phase = self._controller.phase
        level = recorder.level
        listening = recorder.is_open and (phase is Phase.RECORDING or self._controller.hands_free)
        if listening:
            self._meter.set_dbfs(level.rms_dbfs, level.peak_dbfs)
            self._talk.set_level(LevelMeter.fraction(level.rms_dbfs) if phase is Phase.RECORDING else 0.0)
        else:
            self._meter.set_dbfs(-200.0)
        self._meter.setEnabled(recorder.is_open)
        if phase is Phase.RECORDING:
            elapsed = recorder.elapsed
            text = _clock(elapsed)
            remaining = recorder.remaining
            warning = remaining is not None and remaining <= COUNTDOWN_SECONDS
            if warning:
                text = self.tr("{elapsed} · stops in {seconds} s").format(
                    elapsed=text, seconds=max(0, int(remaining + 0.999)))  # type: ignore[operator]
            self._clock.setText(text)
            self._clock.setProperty("warning", warning)
            self._set_clock_colour(warning)
        elif self._controller.mic_error is not None:
            self._clock.setText(self.tr("Microphone unavailable"))
            self._set_clock_colour(True)
        else:
            self._clock.setText("")
            self._set_clock_colour(False)

    def _set_clock_colour(self, warning: bool) -> None:
        if bool(self._clock.property("red")) == warning:
            return
        self._clock.setProperty("red", warning)
        self._clock.setStyleSheet("color: #d32f2f; font-weight: bold;" if warning else "")

    @Slot()
    def _update_title(self) -> None:
        conversation = self._controller.conversation
        if conversation is None:
            title = self.tr("New voice conversation")
        else:
            title = conversation.title or self.tr("Untitled voice conversation")
            if conversation.kind is ConversationKind.CHAT:
                title = self.tr("{title} (a chat, continued by voice)").format(title=title)
        self._title.setText(title)
        self._title.setToolTip(title)

    @Slot()
    def _update_recent(self) -> None:
        menu = self._recent_menu
        menu.clear()
        controller = self._controller
        latest = controller.latest_voice()
        self._continue_action.setEnabled(latest is not None)
        self._continue_action.setToolTip(
            self.tr("Continue “{title}”").format(title=latest.title or self.tr("Untitled voice conversation"))
            if latest is not None else self.tr("There is no earlier voice conversation yet."))
        for conversation in controller.recent:
            kind = self.tr("Voice") if conversation.kind is ConversationKind.VOICE else self.tr("Chat")
            title = conversation.title or self.tr("Untitled")
            action = menu.addAction(self.tr("{kind}: {title}").format(kind=kind, title=_shorten(title)))
            cid = conversation.id
            action.triggered.connect(lambda _checked=False, cid=cid: controller.continue_conversation(cid))
        if menu.isEmpty():
            placeholder = menu.addAction(self.tr("No conversations yet"))
            placeholder.setEnabled(False)

    @Slot()
    def _update_hint(self) -> None:
        key = push_to_talk_sequence(self._context.preferences.voice_push_to_talk_key).toString(
            QKeySequence.SequenceFormat.NativeText)
        self._hint.setText(self.tr("Hold the button — or {key} while this tab has the focus — and speak; "
                                   "release to send. Press again to interrupt Parla.").format(key=key))
        self._talk.setToolTip(self.tr("Hold to talk, release to send ({key}); Ctrl+Enter starts and sends "
                                      "without holding").format(key=key))
        self._push_to_talk_action.setShortcut(push_to_talk_sequence(self._context.preferences.voice_push_to_talk_key))

    @Slot()
    def _update_empty_hint(self, *_args: object) -> None:
        empty = self._controller.model.rowCount() == 0
        self._empty_hint.setText(self.tr("Your conversation appears here. It is saved with your chats, so "
                                         "you can read it and go on typing in the Chat tab.") if empty else "")
        self._empty_hint.setVisible(empty)
        self._transcript.setVisible(not empty)


def _close_controller(controller: VoiceController, tasks: object) -> None:
    """The page is gone: stop talking and close the devices (if the event loop still runs)."""
    controller.shutdown_now()
    try:
        tasks.spawn(controller.aclose(), name="voice.close")  # type: ignore[attr-defined]
    except RuntimeError:  # no running loop: the process is ending and PortAudio closes with it
        pass


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
