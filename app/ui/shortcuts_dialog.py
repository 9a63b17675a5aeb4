"""Help ▸ Keyboard shortcuts: every shortcut of the window and its tabs, in one list.

The list is not written by hand: the main window collects it from its actions and shortcuts (and
those of every tab page) each time the dialog opens, so a shortcut added anywhere shows up here
without anyone remembering to document it. Keys are shown in the platform's notation (Ctrl on Linux
and Windows, ⌘ on macOS).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

__all__ = ["ShortcutEntry", "ShortcutsDialog"]


@dataclass(frozen=True)
class ShortcutEntry:
    """One thing the keyboard does: where it works, what it does, and its keys (native text)."""

    scope: str
    description: str
    keys: tuple[str, ...]


class ShortcutsDialog(QDialog):
    """A read-only tree: one group per scope ("Everywhere", then each tab), action and keys."""

    def __init__(self, entries: Iterable[ShortcutEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setObjectName("shortcuts_dialog")
        intro = QLabel(
            self.tr("Everything in Parla can be reached from the keyboard. Tab and Shift+Tab move between controls; "
                    "Alt and an underlined letter jumps to that field or inner tab."),
            self,
        )
        intro.setWordWrap(True)

        self._tree = QTreeWidget(self)
        self._tree.setObjectName("shortcuts_tree")
        self._tree.setColumnCount(2)
        self._tree.setHeaderLabels([self.tr("Action"), self.tr("Shortcut")])
        self._tree.setRootIsDecorated(False)
        self._tree.setItemsExpandable(False)
        self._tree.setAlternatingRowColors(True)
        self._tree.setAccessibleName(self.tr("Keyboard shortcuts"))
        self._tree.setToolTip(self.tr("Every keyboard shortcut, grouped by where it works"))
        header = self._tree.header()
        header.setAccessibleName(self.tr("Columns"))
        header.setToolTip(self.tr("Action, and the keys that do it"))
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)

        groups: dict[str, QTreeWidgetItem] = {}
        for entry in entries:
            group = groups.get(entry.scope)
            if group is None:
                group = QTreeWidgetItem(self._tree, [entry.scope])
                group.setFirstColumnSpanned(True)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                groups[entry.scope] = group
            item = QTreeWidgetItem(group, [entry.description, ", ".join(entry.keys)])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self._tree.expandAll()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setToolTip(self.tr("Close this list (Esc)"))

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self._tree, 1)
        layout.addWidget(buttons)
        self.resize(640, 540)
        self._tree.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def tree(self) -> QTreeWidget:
        return self._tree

    def rows(self) -> list[tuple[str, str, str]]:
        """(scope, action, keys) for every listed shortcut, in order."""
        found: list[tuple[str, str, str]] = []
        for g in range(self._tree.topLevelItemCount()):
            group = self._tree.topLevelItem(g)
            for i in range(group.childCount()):
                item = group.child(i)
                found.append((group.text(0), item.text(0), item.text(1)))
        return found
