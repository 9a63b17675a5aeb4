"""Parla's conversation store: SQLite (WAL, one writer), attachments by content hash, FTS5 search.

No Qt here (an import-linter contract enforces it). The UI uses ``AsyncStore``, whose calls run on
one worker thread; ``Store`` is the same API, blocking, for tests and scripts.

The names below are re-exported lazily (PEP 562): importing ``app.store`` or one of its modules does
not load the others — start-up imports only what opening the store needs, off the first frame.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.store.async_store import (
        AsyncStore,
    )
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
    from app.store.schema import (
        LATEST_VERSION,
        MIGRATIONS,
        Migration,
        migrate,
    )
    from app.store.search import (
        HIGHLIGHT_END,
        HIGHLIGHT_START,
        split_highlights,
    )
    from app.store.store import (
        DB_FILENAME,
        Store,
        database_path,
        title_from_text,
    )
    from app.store.vectors import (
        PendingText,
        VectorHit,
        delete_vectors,
        messages_needing_vectors,
        put_vectors,
        search_vectors,
        vector_count,
        vector_progress,
    )

#: Where each re-exported name lives.
_EXPORTS: dict[str, str] = {
    "AsyncStore": "app.store.async_store",
    "Attachment": "app.store.models",
    "Conversation": "app.store.models",
    "ConversationKind": "app.store.models",
    "DB_FILENAME": "app.store.store",
    "Draft": "app.store.models",
    "HIGHLIGHT_END": "app.store.search",
    "HIGHLIGHT_START": "app.store.search",
    "LATEST_VERSION": "app.store.schema",
    "MIGRATIONS": "app.store.schema",
    "Message": "app.store.models",
    "MessageState": "app.store.models",
    "Migration": "app.store.schema",
    "NotFoundError": "app.store.models",
    "PINNED": "app.store.groups",
    "PREVIOUS_7_DAYS": "app.store.groups",
    "Part": "app.store.models",
    "RECOVERED_FINISH_REASON": "app.store.models",
    "Role": "app.store.models",
    "SchemaTooNewError": "app.store.models",
    "SearchHit": "app.store.models",
    "Store": "app.store.store",
    "StoreClosedError": "app.store.models",
    "StoreError": "app.store.models",
    "TODAY": "app.store.groups",
    "YESTERDAY": "app.store.groups",
    "database_path": "app.store.store",
    "day_group": "app.store.groups",
    "group_conversations": "app.store.groups",
    "image_part": "app.store.models",
    "migrate": "app.store.schema",
    "month_of": "app.store.groups",
    "sidebar_group": "app.store.groups",
    "split_highlights": "app.store.search",
    "text_part": "app.store.models",
    "title_from_text": "app.store.store",
    "PendingText": "app.store.vectors",
    "VectorHit": "app.store.vectors",
    "delete_vectors": "app.store.vectors",
    "messages_needing_vectors": "app.store.vectors",
    "put_vectors": "app.store.vectors",
    "search_vectors": "app.store.vectors",
    "vector_count": "app.store.vectors",
    "vector_progress": "app.store.vectors",
}

__all__ = [
    "DB_FILENAME",
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "LATEST_VERSION",
    "MIGRATIONS",
    "PINNED",
    "PREVIOUS_7_DAYS",
    "RECOVERED_FINISH_REASON",
    "TODAY",
    "YESTERDAY",
    "AsyncStore",
    "Attachment",
    "Conversation",
    "ConversationKind",
    "Draft",
    "Message",
    "MessageState",
    "Migration",
    "NotFoundError",
    "Part",
    "Role",
    "SchemaTooNewError",
    "SearchHit",
    "Store",
    "StoreClosedError",
    "StoreError",
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
    "PendingText",
    "VectorHit",
    "delete_vectors",
    "messages_needing_vectors",
    "put_vectors",
    "search_vectors",
    "vector_count",
    "vector_progress",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
