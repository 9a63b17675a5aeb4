"""Parla's conversation store: SQLite (WAL, one writer), attachments by content hash, FTS5 search.

No Qt here (an import-linter contract enforces it). The UI uses ``AsyncStore``, whose calls run on
one worker thread; ``Store`` is the same API, blocking, for tests and scripts.
"""

from app.store.async_store import AsyncStore
from app.store.groups import (
    PINNED,
    PREVIOUS_7_DAYS,
    TODAY,
    YESTERDAY,
    day_group,
    group_conversations,
    month_of,
    sidebar_group,
)
from app.store.models import (
    RECOVERED_FINISH_REASON,
    Attachment,
    Conversation,
    ConversationKind,
    Draft,
    Message,
    MessageState,
    NotFoundError,
    Part,
    Role,
    SchemaTooNewError,
    SearchHit,
    StoreClosedError,
    StoreError,
    image_part,
    text_part,
)
from app.store.schema import LATEST_VERSION, MIGRATIONS, Migration, migrate
from app.store.search import HIGHLIGHT_END, HIGHLIGHT_START, split_highlights
from app.store.store import DB_FILENAME, Store, database_path, title_from_text

__all__ = [
    "AsyncStore",
    "Attachment",
    "Conversation",
    "ConversationKind",
    "DB_FILENAME",
    "Draft",
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Message",
    "MessageState",
    "Migration",
    "NotFoundError",
    "PINNED",
    "PREVIOUS_7_DAYS",
    "Part",
    "RECOVERED_FINISH_REASON",
    "Role",
    "SchemaTooNewError",
    "SearchHit",
    "Store",
    "StoreClosedError",
    "StoreError",
    "TODAY",
    "YESTERDAY",
    "database_path",
    "day_group",
    "group_conversations",
    "image_part",
    "migrate",
    "month_of",
    "sidebar_group",
    "split_highlights",
    "text_part",
    "title_from_text",
]
