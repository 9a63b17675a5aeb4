"""The status bar's permanent part: which profile is active, and whether its server answers."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QWidget

from app.api.errors import AuthenticationError
from app.credentials import CredentialError
from app.ui.errors import user_message
from app.ui.profile_names import display_name
from app.ui.session import ConnectionStatus, Session, TokenSource
from app.ui.widgets.elided_label import ElidedLabel

__all__ = ["ConnectionIndicator", "ProfileSwitcher"]


class ProfileSwitcher(QPushButton):
    """The active profile's name; its menu switches profile or opens the profile settings."""

    manage_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setFlat(True)
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        session.profiles_changed.connect(self._on_profiles_changed)
        self._on_profiles_changed()

    def profile_actions(self) -> list[QAction]:
        """One checkable action per profile, in order (the rest of the menu excluded)."""
        return [action for action in self._group.actions()]

    @Slot()
    def _on_profiles_changed(self) -> None:
        self._menu.clear()
        for action in self._group.actions():
            self._group.removeAction(action)
            action.deleteLater()
        active = self._session.active_id
        for profile in self._session.profiles:
            action = QAction(display_name(profile), self._menu)
            action.setCheckable(True)
            action.setChecked(profile.id == active)
            action.setData(profile.id)
            action.setToolTip(profile.base_url)
            action.triggered.connect(self._on_profile_triggered)
            self._group.addAction(action)
            self._menu.addAction(action)
        self._menu.addSeparator()
        manage = self._menu.addAction(self.tr("Manage profiles…"))
        manage.triggered.connect(self.manage_requested)
        profile = self._session.profile
        self.setText(display_name(profile))
        self.setAccessibleName(self.tr("Active profile: {name}").format(name=display_name(profile)))
        self.setToolTip(
            self.tr("Active profile: {name} ({url}) — click to switch").format(
                name=display_name(profile), url=profile.base_url
            )
        )

    @Slot()
    def _on_profile_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self._session.switch_profile(str(action.data()))


class ConnectionIndicator(QWidget):
    """"Connected · 12 models", "Checking…", or what went wrong, with the action that helps."""

    settings_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._label = ElidedLabel(parent=self, max_width=720)
        self.setAccessibleName(self.tr("Connection status"))
        self._environment = QLabel(self.tr("from environment"), self)
        self._environment.setToolTip(
            self.tr("OPENAI_BASE_URL or OPENAI_API_KEY is set: it overrides the active profile for this run and is never saved.")
        )
        self._action = QToolButton(self)
        self._action.setAutoRaise(True)
        self._action.clicked.connect(self._on_action_clicked)
        self._action_kind = ""
        separator = QFrame(self)
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(separator)
        layout.addWidget(self._label)
        layout.addWidget(self._environment)
        layout.addWidget(self._action)
        layout.addStretch(1)
        session.connection_changed.connect(self._on_connection_changed)
        session.profiles_changed.connect(self._on_connection_changed)
        self._on_connection_changed()

    def text(self) -> str:
        return self._label.text()

    def action_text(self) -> str:
        """The helper button's text, or "" while it is hidden."""
        return self._action.text() if not self._action.isHidden() else ""

    def environment_shown(self) -> bool:
        return not self._environment.isHidden()

    @Slot()
    def _on_connection_changed(self) -> None:
        state = self._session.connection
        details = ""
        action = ""
        self._action_kind = ""
        if state.status == ConnectionStatus.NO_TOKEN:
            text = self.tr("No token — open Settings")
            action = self.tr("Settings…")
            self._action_kind = "settings"
        elif state.status == ConnectionStatus.CHECKING:
            text = self.tr("Checking connection…")
        elif state.status == ConnectionStatus.CONNECTED:
            if state.model_count == 1:
                text = self.tr("Connected · 1 model")
            else:
                text = self.tr("Connected · {count} models").format(count=state.model_count)
        else:
            error = state.error if state.error is not None else RuntimeError("unknown")
            text = user_message(error)
            needs_settings = isinstance(error, (AuthenticationError, CredentialError))
            action = self.tr("Settings…") if needs_settings else self.tr("Retry")
            self._action_kind = "settings" if needs_settings else "retry"
        if self._session.token_source == TokenSource.SESSION:
            details = self.tr("The token is kept for this session only.")
        self._label.setText(text)
        self._label.setDetails(details or self._session.profile.base_url)
        self._environment.setVisible(self._session.overridden_by_environment)
        self._action.setText(action)
        self._action.setToolTip(
            self.tr("Check the connection again")
            if self._action_kind == "retry"
            else self.tr("Open the profile settings")
        )
        self._action.setVisible(bool(action))

    @Slot()
    def _on_action_clicked(self) -> None:
        if self._action_kind == "retry":
            self._session.recheck()
        else:
            self.settings_requested.emit()
