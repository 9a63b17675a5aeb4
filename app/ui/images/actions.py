"""The things one can do with a gallery picture, as actions shared by the grid's menu and the viewer.

One place names them, so the grid's context menu, the viewer's toolbar and their shortcuts always
say the same words, and the page handles each one once (:class:`ImageAction`).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QKeySequence

__all__ = ["ImageAction", "make_actions"]

translate = QCoreApplication.translate


class ImageAction(StrEnum):
    OPEN = "open"
    SAVE_AS = "save_as"
    COPY = "copy"
    DELETE = "delete"
    SHOW_IN_FOLDER = "show_in_folder"
    REUSE_PROMPT = "reuse_prompt"
    EDIT = "edit"
    VARY = "vary"
    SEND_TO_CHAT = "send_to_chat"


#: Actions that make sense for several selected pictures at once.
MULTI = frozenset({ImageAction.DELETE, ImageAction.COPY, ImageAction.EDIT, ImageAction.SEND_TO_CHAT})


def _text(action: ImageAction) -> str:
    return {
        ImageAction.OPEN: translate("ImageActions", "Open"),
        ImageAction.SAVE_AS: translate("ImageActions", "Save as…"),
        ImageAction.COPY: translate("ImageActions", "Copy"),
        ImageAction.DELETE: translate("ImageActions", "Delete"),
        ImageAction.SHOW_IN_FOLDER: translate("ImageActions", "Show in folder"),
        ImageAction.REUSE_PROMPT: translate("ImageActions", "Use prompt again"),
        ImageAction.EDIT: translate("ImageActions", "Edit"),
        ImageAction.VARY: translate("ImageActions", "Vary"),
        ImageAction.SEND_TO_CHAT: translate("ImageActions", "Send to chat"),
    }[action]


def _tip(action: ImageAction) -> str:
    return {
        ImageAction.OPEN: translate("ImageActions", "Open the picture in the viewer"),
        ImageAction.SAVE_AS: translate("ImageActions", "Save a copy of the picture somewhere else"),
        ImageAction.COPY: translate("ImageActions", "Copy the picture to the clipboard"),
        ImageAction.DELETE: translate("ImageActions", "Delete the picture (you can undo this)"),
        ImageAction.SHOW_IN_FOLDER: translate("ImageActions", "Open the folder that holds the picture's file"),
        ImageAction.REUSE_PROMPT: translate("ImageActions", "Put this prompt and its settings back into Generate"),
        ImageAction.EDIT: translate("ImageActions", "Paint over part of the picture and describe the change"),
        ImageAction.VARY: translate("ImageActions", "Make variations of this picture"),
        ImageAction.SEND_TO_CHAT: translate("ImageActions", "Attach the picture to the chat message you are writing"),
    }[action]


_SHORTCUTS = {
    ImageAction.COPY: QKeySequence.StandardKey.Copy,
    ImageAction.DELETE: QKeySequence.StandardKey.Delete,
    ImageAction.SAVE_AS: QKeySequence.StandardKey.Save,
}


def make_actions(parent: QObject, *, shortcuts: bool = False) -> dict[ImageAction, QAction]:
    """One ``QAction`` per :class:`ImageAction` (``data()`` is its value)."""
    actions: dict[ImageAction, QAction] = {}
    for kind in ImageAction:
        action = QAction(_text(kind), parent)
        action.setToolTip(_tip(kind))
        action.setStatusTip(_tip(kind))
        action.setData(kind.value)
        action.setObjectName(f"image_action_{kind.value}")
        if shortcuts and kind in _SHORTCUTS:
            action.setShortcut(QKeySequence(_SHORTCUTS[kind]))
        actions[kind] = action
    return actions
