"""Function calling in the Chat tab, as the user sees it: tool names, call cards, the confirmation.

A reply that used tools keeps one record per call in its message's ``tool_calls`` (stored as JSON):
the OpenAI shape ``{"id", "type": "function", "function": {"name", "arguments"}}`` plus
``round``, ``status`` (:data:`PENDING`, :data:`RUNNING`, :data:`OK`, :data:`ERROR`,
:data:`DECLINED`, :data:`STOPPED`, :data:`NOT_RUN` — asked for in the round that reached the round
limit), ``result`` (exactly what the model got back), ``duration`` (seconds), ``source``
(``"builtin"`` or ``"mcp:<server>"``) and, for an MCP tool, ``mcp_name`` (its own name on its
server: cards show "add — files", not the registered ``files__add``). :class:`ToolCardsView` shows them as
cards — name, status and duration on one line, arguments and result when expanded (collapsed by
default; which ones are open is kept on the :class:`MessageItem`, so a recycled widget remembers).
Above the cards, a reply sent while some chosen tools were unavailable (their MCP server not
running) carries a one-line notice (:func:`set_notice`; kept with the item while the app runs).

:class:`ToolConfirmDialog` asks before a tool that needs it runs: the tool, its arguments as pretty
JSON, and Allow once / Allow for this conversation / Deny. It is opened with ``open()`` — never
``exec()``, whose nested event loop breaks qasync — and :func:`ask_confirmation` awaits its answer
through a future; cancelling the await (Stop) closes the dialog.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.tools.model import Tool

__all__ = [
    "ALLOW_CONVERSATION",
    "ALLOW_ONCE",
    "BUILTIN_TOOL_NAMES",
    "DECLINED",
    "DENY",
    "ERROR",
    "NOT_RUN",
    "OK",
    "PENDING",
    "RUNNING",
    "STOPPED",
    "ToolCallCard",
    "ToolCardsView",
    "ToolConfirmDialog",
    "ask_confirmation",
    "builtin_tool_texts",
    "call_record",
    "mcp_display_name",
    "needs_confirmation",
    "notice_of",
    "pretty_json",
    "record_display_name",
    "server_of",
    "set_notice",
    "source_text",
    "tool_display_name",
    "unavailable_notice",
    "unavailable_reason",
]

PENDING = "pending"
#: Waiting for the user's answer in the confirmation (shown while asking; never stored as such).
ASKING = "asking"
RUNNING = "running"
OK = "ok"
ERROR = "error"
DECLINED = "declined"
STOPPED = "stopped"
#: Asked for in the round that reached the limit: not run (Continue asks the model again).
NOT_RUN = "not_run"

ALLOW_ONCE = "once"
ALLOW_CONVERSATION = "conversation"
DENY = "deny"

#: The built-in tools, in the order the settings panel lists them.
BUILTIN_TOOL_NAMES = ("current_datetime", "calculator", "generate_image", "search_conversations")
#: A result longer than this is cut in the card (the model got all of it).
CARD_RESULT_CHARS = 4000

translate = QCoreApplication.translate


def builtin_tool_texts() -> dict[str, tuple[str, str]]:
    """Each built-in tool's display name and description, in the interface's language."""
    return {
        "current_datetime": (
            translate("ToolTexts", "Current date and time"),
            translate("ToolTexts", "Tells the model today's date, the time, the weekday and your time zone."),
        ),
        "calculator": (
            translate("ToolTexts", "Calculator"),
            translate("ToolTexts", "Exact arithmetic: + − × ÷, powers, square roots, logarithms, trigonometry."),
        ),
        "generate_image": (
            translate("ToolTexts", "Image generation"),
            translate(
                "ToolTexts",
                "Makes a picture with the profile's image model; it is shown in the reply and kept in the "
                "Images tab. Costs money: Parla asks you first.",
            ),
        ),
        "search_conversations": (
            translate("ToolTexts", "Search my conversations"),
            translate("ToolTexts", "Lets the model search your earlier conversations: titles, dates and snippets."),
        ),
    }


def tool_display_name(name: str, meta: Mapping[str, Any] | None = None) -> str:
    """What a tool is called on screen: a built-in's translated name, an MCP tool's own name."""
    texts = builtin_tool_texts()
    if name in texts:
        return texts[name][0]
    if meta:
        title = meta.get("title") or meta.get("mcp_name") or meta.get("tool")
        if isinstance(title, str) and title:
            return title
    return name


def mcp_display_name(name: str, source: str, mcp_name: str | None = None) -> str:
    """An MCP tool on screen: its own name, then its server ("add — files")."""
    server = source.removeprefix("mcp:")
    own = mcp_name or name.removeprefix(f"{server}__")
    return translate("ToolTexts", "{name} — {server}").format(name=own, server=server)


def record_display_name(record: Mapping[str, Any]) -> str:
    """A call card's tool name: a built-in's translated name, an MCP tool's "add — files"."""
    function = record.get("function") if isinstance(record.get("function"), Mapping) else {}
    name = str((function or {}).get("name", ""))
    source = str(record.get("source") or "builtin")
    if source.startswith("mcp:"):
        mcp_name = record.get("mcp_name")
        return mcp_display_name(name, source, mcp_name if isinstance(mcp_name, str) and mcp_name else None)
    return tool_display_name(name)


_NOTICES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def set_notice(item: Any, text: str) -> None:
    """The line shown above a reply's cards (e.g. which chosen tools were unavailable); "" clears."""
    if text:
        _NOTICES[item] = text
    else:
        _NOTICES.pop(item, None)


def notice_of(item: Any) -> str:
    return _NOTICES.get(item, "")


def server_of(name: str, service: Any) -> str | None:
    """The configured MCP server a registered tool name (``<server>__<tool>``) belongs to."""
    from app.tools.model import safe_tool_name

    servers = service.servers() if service is not None else []
    matches = [s.name for s in servers if name.startswith(safe_tool_name(s.name) + "__")]
    return max(matches, key=len) if matches else None


def unavailable_reason(name: str, service: Any) -> tuple[str, str, str | None]:
    """(display name, why it is unavailable in words, its server or None) for a chosen tool that
    is not in any registry now."""
    server = server_of(name, service)
    if server is None:
        if "__" in name:
            own, _sep, rest = name.partition("__")
            return (translate("ToolTexts", "{name} — {server}").format(name=rest, server=own),
                    translate("ToolTexts", "its MCP server “{server}” is no longer set up").format(server=own), None)
        return name, translate("ToolTexts", "this tool no longer exists"), None
    from app.tools.model import safe_tool_name

    display = mcp_display_name(name, "mcp:" + server, name[len(safe_tool_name(server)) + 2:])
    state = service.state(server)
    settings = service.server(server)
    status = state.status
    if status == "exited":
        why = translate("ToolTexts", "server “{server}” exited — start it in Settings ▸ MCP servers")
    elif status == "failed":
        why = translate("ToolTexts", "server “{server}” failed to start — see Settings ▸ MCP servers")
    elif status == "starting":
        why = translate("ToolTexts", "server “{server}” is still starting")
    elif status == "ready":
        why = translate("ToolTexts", "server “{server}” no longer offers this tool")
    elif settings is not None and not settings.enabled:
        why = translate("ToolTexts", "server “{server}” is turned off — start it in Settings ▸ MCP servers")
    else:
        why = translate("ToolTexts", "server “{server}” is stopped — start it in Settings ▸ MCP servers")
    return display, why.format(server=server), server


def unavailable_notice(names: Sequence[str], service: Any) -> str:
    """The line on a reply sent without some chosen tools: which ones, and why."""
    parts = [translate("ToolTexts", "“{name}” ({why})").format(name=display, why=why)
             for display, why, _server in (unavailable_reason(name, service) for name in names)]
    return translate("ToolTexts", "Sent without these chosen tools: {tools}.").format(tools="; ".join(parts))


def source_text(source: str) -> str:
    """``"builtin"`` → "Built-in", ``"mcp:files"`` → "MCP server “files”"."""
    if source.startswith("mcp:"):
        return translate("ToolTexts", "MCP server “{name}”").format(name=source[4:])
    return translate("ToolTexts", "Built-in")


def needs_confirmation(tool: Tool) -> bool:
    """Whether to ask before each call: the tool says so, and MCP tools unless marked read-only."""
    if tool.needs_confirmation:
        return True
    if tool.source.startswith("mcp:"):
        annotations = tool.meta.get("annotations") if isinstance(tool.meta, Mapping) else None
        read_only = tool.meta.get("read_only") or tool.meta.get("readOnlyHint")
        if isinstance(annotations, Mapping):
            read_only = read_only or annotations.get("readOnlyHint") or annotations.get("read_only")
        return read_only is not True
    return False


def pretty_json(text: str) -> str:
    """Arguments as the model wrote them, indented when they are JSON (as they are otherwise)."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except (TypeError, ValueError):
        return text


def call_record(
    call_id: str, name: str, arguments: str, *, round_no: int, status: str = PENDING, source: str = "builtin",
    mcp_name: str | None = None,
) -> dict[str, Any]:
    """A new card's record (see the module docstring)."""
    record: dict[str, Any] = {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
        "round": round_no,
        "status": status,
        "result": "",
        "duration": None,
        "source": source,
    }
    if mcp_name:
        record["mcp_name"] = mcp_name
    return record


def _status_text(status: str) -> str:
    return {
        PENDING: translate("ToolTexts", "waiting"),
        ASKING: translate("ToolTexts", "waiting for your permission"),
        RUNNING: translate("ToolTexts", "running…"),
        OK: translate("ToolTexts", "done"),
        ERROR: translate("ToolTexts", "failed"),
        DECLINED: translate("ToolTexts", "declined"),
        STOPPED: translate("ToolTexts", "stopped"),
        NOT_RUN: translate("ToolTexts", "not run (limit reached)"),
    }.get(status, status)


def _status_color(status: str, palette: QPalette) -> QColor:
    if status == OK:
        return QColor(46, 140, 70)
    if status == ERROR:
        return QColor(200, 55, 55)
    if status in (DECLINED, STOPPED, ASKING, NOT_RUN):
        return QColor(190, 120, 20)
    color = QColor(palette.color(QPalette.ColorRole.Text))
    color.setAlphaF(0.62)
    return color


def _monospace(widget: QWidget) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    base = widget.font()
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * 0.92)
    return font


class ToolCallCard(QFrame):
    """One call: a header line to click (name · status · duration), arguments and result below."""

    #: (call id, open)
    toggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_call_card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._call_id = ""
        self._open = False
        self.header = QToolButton(self)
        self.header.setObjectName("tool_call_header")
        self.header.setAutoRaise(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.RightArrow)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.setStyleSheet("QToolButton { text-align: left; }")
        self.header.clicked.connect(self._on_clicked)
        self.header.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab reaches it through the message list
        self.status_label = QLabel(self)
        self.status_label.setObjectName("tool_call_status")
        self.details = QWidget(self)
        self.arguments_label = QLabel(self.details)
        self.arguments_label.setObjectName("tool_call_arguments")
        self.result_label = QLabel(self.details)
        self.result_label.setObjectName("tool_call_result")
        self._arguments_title = QLabel(self.tr("Arguments"), self.details)
        self._result_title = QLabel(self.tr("Result"), self.details)
        for title in (self._arguments_title, self._result_title):
            font = QFont(title.font())
            font.setBold(True)
            title.setFont(font)
        for label in (self.arguments_label, self.result_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setFont(_monospace(self))
        details = QVBoxLayout(self.details)
        details.setContentsMargins(22, 0, 6, 6)
        details.setSpacing(2)
        details.addWidget(self._arguments_title)
        details.addWidget(self.arguments_label)
        details.addWidget(self._result_title)
        details.addWidget(self.result_label)
        self.details.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 6, 0)
        top.addWidget(self.header, 1)
        top.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.details)

    @property
    def call_id(self) -> str:
        return self._call_id

    @property
    def is_open(self) -> bool:
        return self._open

    def set_record(self, record: Mapping[str, Any], open_: bool) -> None:
        function = record.get("function") if isinstance(record.get("function"), Mapping) else {}
        name = str(function.get("name", "")) if function else ""
        arguments = str(function.get("arguments", "")) if function else ""
        status = str(record.get("status") or PENDING)
        self._call_id = str(record.get("id", ""))
        display = record_display_name(record)
        source = str(record.get("source") or "builtin")
        self.header.setText(self.tr("Tool: {name}").format(name=display))
        self.header.setAccessibleName(self.tr("Tool call {name}").format(name=display))
        self.header.setToolTip(
            self.tr("{name} ({source}) — click to show the arguments and the result").format(
                name=name, source=source_text(source)
            )
        )
        duration = record.get("duration")
        status_text = _status_text(status)
        if isinstance(duration, (int, float)) and status in (OK, ERROR):
            if duration < 1:
                took = self.tr("{ms} ms").format(ms=max(1, round(duration * 1000)))
            else:
                took = self.tr("{seconds} s").format(seconds=f"{duration:.1f}")
            status_text = self.tr("{status} · {took}").format(status=status_text, took=took)
        self.status_label.setText(status_text)
        self.status_label.setStyleSheet(f"color: {_status_color(status, self.palette()).name(QColor.NameFormat.HexArgb)};")
        self.arguments_label.setText(pretty_json(arguments) or self.tr("(none)"))
        result = str(record.get("result") or "")
        if len(result) > CARD_RESULT_CHARS:
            result = result[:CARD_RESULT_CHARS] + "\n" + self.tr("… ({count} characters in all)").format(count=len(result))
        if not result:
            if status == NOT_RUN:
                result = self.tr("(not run: the reply reached the round limit; Continue lets the model go on)")
            else:
                result = self.tr("(waiting for the tool)") if status in (PENDING, ASKING, RUNNING) else self.tr("(nothing)")
        self.result_label.setText(pretty_json(result) if result.startswith(("{", "[")) else result)
        self._set_open(open_)

    def _set_open(self, open_: bool) -> None:
        self._open = open_
        self.header.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        self.details.setVisible(open_)

    @Slot()
    def _on_clicked(self) -> None:
        self._set_open(not self._open)
        self.toggled.emit(self._call_id, self._open)


class ToolCardsView(QWidget):
    """The cards of one reply, in the order the model made the calls."""

    #: A card was opened or closed: the message's height changed.
    toggled = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_cards")
        self._cards: list[ToolCallCard] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 2, 0, 2)
        self._layout.setSpacing(3)
        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("tool_notice")
        self.notice_label.setWordWrap(True)
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_label.setStyleSheet("color: #b07814;")
        self.notice_label.setAccessibleName(self.tr("Unavailable tools"))
        self.notice_label.setToolTip(self.tr("Tools chosen for this conversation that this reply could not offer"))
        self.notice_label.hide()
        self._layout.addWidget(self.notice_label)

    @property
    def cards(self) -> list[ToolCallCard]:
        return [card for card in self._cards if not card.isHidden()]

    def set_calls(self, records: Sequence[Mapping[str, Any]], open_ids: set[str], notice: str = "") -> None:
        if notice != self.notice_label.text():
            self.notice_label.setText(notice)
        self.notice_label.setVisible(bool(notice))
        while len(self._cards) < len(records):
            card = ToolCallCard(self)
            card.toggled.connect(self.toggled)
            self._layout.addWidget(card)
            self._cards.append(card)
        for card, record in zip(self._cards, records):
            card.set_record(record, str(record.get("id", "")) in open_ids)
            card.show()
        for card in self._cards[len(records):]:
            card.hide()
        self.setVisible(bool(records) or bool(notice))


class ToolConfirmDialog(QDialog):
    """Asks whether a tool may run now (see the module docstring). ``choice`` says what was chosen."""

    def __init__(self, tool: Tool, arguments: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tool_confirm_dialog")
        self.choice = DENY
        display = (mcp_display_name(tool.name, tool.source, tool.meta.get("mcp_name"))
                   if tool.source.startswith("mcp:") else tool_display_name(tool.name, tool.meta))
        self.setWindowTitle(self.tr("Run a tool?"))
        self.setAccessibleName(self.tr("Run a tool?"))
        heading = QLabel(self.tr("The model wants to use “{name}”.").format(name=display), self)
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        source = QLabel(
            self.tr("{source} · {name}").format(source=source_text(tool.source), name=tool.name), self
        )
        source.setWordWrap(True)
        source.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        description = builtin_tool_texts().get(tool.name, ("", tool.description))[1]
        about = QLabel(description, self)
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.PlainText)
        self.arguments_view = QPlainTextEdit(self)
        self.arguments_view.setObjectName("tool_confirm_arguments")
        self.arguments_view.setReadOnly(True)
        self.arguments_view.setPlainText(json.dumps(dict(arguments), ensure_ascii=False, indent=2))
        self.arguments_view.setFont(_monospace(self))
        self.arguments_view.setAccessibleName(self.tr("Arguments"))
        self.arguments_view.setToolTip(self.tr("What the model asks the tool to do, as it wrote it"))
        lines = min(12, max(3, self.arguments_view.document().blockCount() + 1))
        self.arguments_view.setFixedHeight(self.arguments_view.fontMetrics().lineSpacing() * lines + 12)

        self.allow_once_button = QPushButton(self.tr("Allow once"), self)
        self.allow_once_button.setObjectName("allow_once_button")
        self.allow_once_button.setToolTip(self.tr("Run the tool this time; ask again next time"))
        self.allow_once_button.setAccessibleName(self.tr("Allow once"))
        self.allow_always_button = QPushButton(self.tr("Allow for this conversation"), self)
        self.allow_always_button.setObjectName("allow_conversation_button")
        self.allow_always_button.setToolTip(self.tr("Run this tool without asking again in this conversation"))
        self.allow_always_button.setAccessibleName(self.tr("Allow for this conversation"))
        self.deny_button = QPushButton(self.tr("Deny"), self)
        self.deny_button.setObjectName("deny_button")
        self.deny_button.setToolTip(self.tr("Do not run it: the model is told you declined"))
        self.deny_button.setAccessibleName(self.tr("Deny"))
        self.allow_once_button.clicked.connect(lambda: self._choose(ALLOW_ONCE))
        self.allow_always_button.clicked.connect(lambda: self._choose(ALLOW_CONVERSATION))
        self.deny_button.clicked.connect(lambda: self._choose(DENY))
        self.allow_once_button.setDefault(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.deny_button)
        buttons.addStretch(1)
        buttons.addWidget(self.allow_always_button)
        buttons.addWidget(self.allow_once_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(source)
        layout.addWidget(about)
        layout.addSpacing(4)
        layout.addWidget(QLabel(self.tr("Arguments:"), self))
        layout.addWidget(self.arguments_view)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == DENY:
            self.reject()
        else:
            self.accept()


async def ask_confirmation(tool: Tool, arguments: Mapping[str, Any], parent: QWidget | None,
                           *, on_open: Any = None) -> str:
    """Show a :class:`ToolConfirmDialog` and wait for the answer (:data:`ALLOW_ONCE`,
    :data:`ALLOW_CONVERSATION` or :data:`DENY`; closing the window denies). Cancelled: closed."""
    dialog = ToolConfirmDialog(tool, arguments, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def finished(_result: int) -> None:
        if not future.done():
            future.set_result(dialog.choice)

    dialog.finished.connect(finished)
    if on_open is not None:
        on_open(dialog)
    dialog.open()
    try:
        return await future
    finally:
        if on_open is not None:
            on_open(None)
        dialog.finished.disconnect(finished)
        if dialog.isVisible():
            dialog.reject()
        dialog.deleteLater()
