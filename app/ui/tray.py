"""The system tray icon (an optional setting): Show, New chat, Push to talk, Quit.

The icon only offers what the window can do: its actions are the window's, passed in, so a menu
item is enabled exactly when the window says the feature exists (a tab page that has no
``new_conversation()`` yet leaves "New chat" disabled, never a control that does nothing). Clicking
the icon shows the window. Whether closing the window hides it here instead of quitting is the
window's decision (``MainWindow.closeEvent``); this class only draws the icon and its menu.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

__all__ = ["TrayIcon"]


class TrayIcon(QSystemTrayIcon):
    """Parla's icon in the notification area, with the window's tray actions in its menu."""

    #: The user clicked (or double-clicked) the icon itself.
    show_requested = Signal()
    #: The menu is about to open: the window refreshes which actions are available.
    menu_about_to_show = Signal()

    def __init__(self, icon: QIcon, actions: list[QAction | None], parent: QObject | None = None) -> None:
        """``actions`` in menu order; ``None`` puts a separator there."""
        super().__init__(icon, parent)
        self.setToolTip(self.tr("Parla"))
        # A QMenu needs a widget parent or none; it is deleted with this object.
        self._menu = QMenu(parent if isinstance(parent, QWidget) else None)
        self._menu.setObjectName("tray_menu")
        self._menu.setAccessibleName(self.tr("Parla tray menu"))
        for action in actions:
            if action is None:
                self._menu.addSeparator()
            else:
                self._menu.addAction(action)
        self._menu.aboutToShow.connect(self.menu_about_to_show)
        self.setContextMenu(self._menu)
        self.activated.connect(self._on_activated)
        self.destroyed.connect(self._menu.deleteLater)

    @property
    def menu(self) -> QMenu:
        return self._menu

    @staticmethod
    def available() -> bool:
        """True when the desktop has a notification area to put the icon in."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.show_requested.emit()
