"""A side panel's form in a vertical-only scroll area that fills the panel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

__all__ = ["fill_with_vertical_scroll"]


def fill_with_vertical_scroll(owner: QWidget, content: QWidget) -> QScrollArea:
    """Make ``content`` scroll vertically inside ``owner`` (frameless, edge to edge).

    There is no horizontal scrolling, so ``owner`` is never made narrower than the content needs:
    the widest row plus a vertical scroll bar. The scroll area takes no Tab stop of its own; the
    focused field scrolls into view.
    """
    scroll = QScrollArea(owner)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    bar = scroll.verticalScrollBar().sizeHint().width()
    owner.setMinimumWidth(content.minimumSizeHint().width() + bar)
    return scroll
