"""Full-text search: English and Chinese, substrings, short queries, highlights, index upkeep."""

from __future__ import annotations

import pytest

from app.store import HIGHLIGHT_END as E
from app.store import HIGHLIGHT_START as S
from app.store import Role, Store, split_highlights
from app.store import search as search_module
from app.store.search import highlight, like_pattern, make_snippet, parse_query
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401


@pytest.fixture
def corpus(store: Store, clock: Clock) -> dict[str, int]:
    """A few conversations in two languages; returns names → ids."""
    ids: dict[str, int] = {}
    py = store.create_conversation()
    ids["py_q"] = store.append_message(py.id, Role.USER, "How do I sort a dictionary by value in Python?").id
    ids["py_a"] = store.append_message(
        py.id, Role.ASSISTANT, "Use sorted() with a key: sorted(d.items(), key=lambda kv: kv[1]). Python dictionaries keep insertion order."
    ).id
    clock.advance()
    zh = store.create_conversation()
    ids["zh_q"] = store.append_message(zh.id, Role.USER, "请解释一下全文搜索是如何工作的").id
    ids["zh_a"] = store.append_message(zh.id, Role.ASSISTANT, "全文搜索会先建立倒排索引，然后根据查询词查找包含它们的文档。中文没有空格分词。").id
    clock.advance()
    named = store.create_conversation(title="Trip to Kyoto 京都旅行")
    ids["trip"] = store.append_message(named.id, Role.USER, "Plan three days of temples and food").id
    ids["py"], ids["zh"], ids["named"] = py.id, zh.id, named.id
    return ids


def test_english_word_and_substring(store: Store, corpus: dict[str, int]) -> None:
    hits = store.search("dictionar")
    assert [h.message_id for h in hits][0] is None  # the automatic title has the word too
    assert {h.message_id for h in hits[1:]} == {corpus["py_q"], corpus["py_a"]}
    assert all(h.conversation_id == corpus["py"] for h in hits)
    assert store.search("emple")[0].message_id == corpus["trip"]  # inside "temples"


def test_case_insensitive(store: Store, corpus: dict[str, int]) -> None:
    assert {h.message_id for h in store.search("PYTHON")} >= {corpus["py_q"], corpus["py_a"]}


def test_title_hits_come_first(store: Store, corpus: dict[str, int]) -> None:
    hits = store.search("how do i sort")
    assert hits[0].message_id is None and hits[0].conversation_id == corpus["py"]  # auto title
    assert hits[0].title == "How do I sort a dictionary by value in Python?"
    assert hits[1].message_id == corpus["py_q"]
    kyoto = store.search("kyoto")
    assert [(h.conversation_id, h.message_id) for h in kyoto] == [(corpus["named"], None)]
    assert kyoto[0].snippet == f"Trip to {S}Kyoto{E} 京都旅行"


def test_chinese(store: Store, corpus: dict[str, int]) -> None:
    hits = store.search("倒排索引")
    assert [h.message_id for h in hits] == [corpus["zh_a"]]
    assert f"{S}倒排索引{E}" in hits[0].snippet
    assert hits[0].title == "请解释一下全文搜索是如何工作的"
    both = store.search("全文搜索")
    assert [h.message_id for h in both][:1] == [None]  # the auto title matches too
    assert {h.message_id for h in both} == {None, corpus["zh_q"], corpus["zh_a"]}
    assert store.search("京都旅")[0].conversation_id == corpus["named"]


def test_short_queries_fall_back_to_like(store: Store, corpus: dict[str, int]) -> None:
    hits = store.search("中文")  # two characters: below what the trigram index can match
    assert [h.message_id for h in hits] == [corpus["zh_a"]]
    assert f"{S}中文{E}" in hits[0].snippet and hits[0].rank == 0.0
    assert [h.conversation_id for h in store.search("京都")] == [corpus["named"]]
    assert store.search("京都")[0].snippet == f"Trip to Kyoto {S}京都{E}旅行"
    assert {h.message_id for h in store.search("kv")} == {corpus["py_a"]}
    assert store.search("zq") == []


def test_mixed_long_and_short_terms(store: Store, corpus: dict[str, int]) -> None:
    hits = store.search("sorted kv")
    assert [h.message_id for h in hits] == [corpus["py_a"]]
    assert f"{S}sorted{E}" in hits[0].snippet and f"{S}kv{E}" in hits[0].snippet
    assert store.search("sorted zq") == []


def test_all_terms_must_match(store: Store, corpus: dict[str, int]) -> None:
    assert [h.message_id for h in store.search("python insertion")] == [corpus["py_a"]]
    assert store.search("python 倒排") == []


def test_quoted_phrase(store: Store, corpus: dict[str, int]) -> None:
    assert [h.message_id for h in store.search('"insertion order"')] == [corpus["py_a"]]
    assert store.search('"order insertion"') == []


def test_user_syntax_is_searched_literally(store: Store, corpus: dict[str, int]) -> None:
    c = store.create_conversation(title="x")
    m = store.append_message(c.id, Role.USER, 'odd: a AND b OR "c" NEAR(d) col:e * 100% under_score')
    for query in ["AND b OR", 'NEAR(d)', "col:e", "100%", "under_score", '"c"', "*", "\\", "-", "'", "("]:
        store.search(query)  # never a syntax error
    assert [h.message_id for h in store.search("NEAR(d)")] == [m.id]
    assert [h.message_id for h in store.search("100%")] == [m.id]
    assert store.search("0%") != [] and store.search("9%") == []  # % is not a wildcard
    assert [h.message_id for h in store.search("r_s")] == [m.id]
    assert store.search("r_x") == []  # _ is not a wildcard
    assert store.search("") == [] and store.search("   ") == []


def test_highlight_and_snippet_of_a_long_message(store: Store) -> None:
    c = store.create_conversation(title="long")
    body = "filler text " * 200 + "the NEEDLE is here " + "more filler " * 200
    m = store.append_message(c.id, Role.ASSISTANT, body)
    hit = store.search("needle")[0]
    assert hit.message_id == m.id
    assert f"{S}NEEDLE{E}" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…") and len(hit.snippet) < 200
    pieces = split_highlights(hit.snippet)
    assert ("NEEDLE", True) in pieces and all(not p[1] for p in pieces if p[0] != "NEEDLE")


def test_html_in_messages_stays_text_in_snippets(store: Store) -> None:
    c = store.create_conversation(title="x")
    store.append_message(c.id, Role.ASSISTANT, "<script>alert(1)</script> payload")
    snippet = store.search("payload")[0].snippet
    assert split_highlights(snippet) == [("<script>alert(1)</script> ", False), ("payload", True)]


def test_messages_cannot_fake_highlights(store: Store) -> None:
    c = store.create_conversation(title="x")
    m = store.append_message(c.id, Role.USER, f"plain {S}fake{E} marker")
    assert m.text == f"plain {S}fake{E} marker"  # the message itself is kept as written
    snippet = store.search("marker")[0].snippet
    assert snippet == f"plain fake {S}marker{E}"


def test_index_follows_edits_deletes_and_truncation(store: Store, corpus: dict[str, int]) -> None:
    store.edit_message(corpus["py_q"], "How do I reverse a list?")
    assert corpus["py_q"] not in {h.message_id for h in store.search("dictionary")}
    assert [h.message_id for h in store.search("reverse") if h.message_id] == [corpus["py_q"]]
    assert store.search("reverse")[0].message_id is None  # the auto title followed the edit

    store.delete_message(corpus["zh_a"])
    assert store.search("倒排索引") == []
    store.truncate_after(corpus["py_q"])
    assert store.search("insertion") == []
    store.rename_conversation(corpus["named"], "Osaka")
    assert store.search("kyoto") == []
    assert store.search("osaka")[0].conversation_id == corpus["named"]
    store.purge_conversation(corpus["named"])
    assert store.search("temples") == [] and store.search("osaka") == []
    assert store.integrity_check() == ["ok"]


def test_streaming_reply_is_indexed_when_it_ends(store: Store) -> None:
    c = store.create_conversation(title="x")
    reply = store.append_message(c.id, Role.ASSISTANT, state="streaming")
    store.update_streaming(reply.id, "photosynthesis explained")
    assert store.search("photosynthesis") == []  # not churned into the index while it grows
    store.finish_message(reply.id, "stopped")
    assert [h.message_id for h in store.search("photosynthesis")] == [reply.id]
    assert [h.message_id for h in store.search("ph")] == [reply.id]
    store.edit_message(reply.id, "chlorophyll")
    assert store.search("photosynthesis") == [] and store.search("chlorophyll")[0].message_id == reply.id


def test_deleted_conversations_are_not_found(store: Store, corpus: dict[str, int]) -> None:
    store.delete_conversation(corpus["py"])
    assert store.search("python") == [] and store.search("kv") == []
    store.restore_conversation(corpus["py"])
    assert store.search("python")


def test_limit(store: Store) -> None:
    c = store.create_conversation(title="many")
    for i in range(30):
        store.append_message(c.id, Role.USER, f"repeat word {i}")
    assert len(store.search("repeat", limit=7)) == 7
    assert len(store.search("re", limit=5)) == 5
    assert store.search("repeat", limit=0) == []


def test_common_terms_come_newest_first(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past RANKED_SEARCH_MAX rows for a term, bm25 would be slow: hits come newest first instead."""
    monkeypatch.setattr(search_module, "RANKED_SEARCH_MAX", 3)
    c = store.create_conversation(title="x")
    ids = [store.append_message(c.id, Role.USER, f"common {'rare ' * (i == 1)}{i}").id for i in range(6)]
    hits = store.search("common", limit=4)
    assert [h.message_id for h in hits] == ids[::-1][:4] and {h.rank for h in hits} == {0.0}
    rare = store.search("rare common")
    assert [h.message_id for h in rare] == [ids[1]]


def test_rare_terms_are_ranked(store: Store) -> None:
    c = store.create_conversation(title="x")
    once = store.append_message(c.id, Role.USER, "banana split and other desserts, many desserts, " + "words " * 30).id
    many = store.append_message(c.id, Role.USER, "banana banana banana").id
    hits = store.search("banana")
    assert [h.message_id for h in hits] == [many, once]
    assert hits[0].rank < hits[1].rank < 0


def test_parse_query() -> None:
    q = parse_query('  hello "big world"  hi HELLO 中文搜索 ')
    assert q.terms == ("hello", "big world", "hi", "中文搜索")
    assert q.fts_terms == ('"hello"', '"big world"', '"中文搜索"')
    assert q.fts == '"hello" AND "big world" AND "中文搜索"'
    assert q.short_terms == ("hi",)
    assert parse_query('say "x""').fts == '"say"'
    assert parse_query('a"b"c').terms == ('a"b"c',)
    assert parse_query("").empty and parse_query("\x02\x03").empty


def test_like_pattern_and_python_snippets() -> None:
    assert like_pattern("50%_a\\") == "%50\\%\\_a\\\\%"
    assert highlight("Ab ab", ["ab"]) == f"{S}Ab{E} {S}ab{E}"
    assert highlight("abc", ["ab", "bc"]) == f"{S}abc{E}"  # overlapping matches merge
    text = "x" * 100 + "中文" + "y" * 100
    snippet = make_snippet(text, ["中文"], width=40)
    assert snippet.startswith("…") and snippet.endswith("…") and f"{S}中文{E}" in snippet
    assert make_snippet("short", ["zz"]) == "short"
    assert split_highlights(f"a{S}b{E}c{S}d{E}") == [("a", False), ("b", True), ("c", False), ("d", True)]
    assert split_highlights("") == []


def test_rebuild_search_index(store: Store, corpus: dict[str, int]) -> None:
    c = store.create_conversation(title="x")
    streaming = store.append_message(c.id, Role.ASSISTANT, state="streaming")
    store.update_streaming(streaming.id, "unfinished sentence")
    store._conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')")
    store._conn.execute("INSERT INTO conversations_fts (conversations_fts) VALUES ('delete-all')")
    assert store.search("倒排索引") == [] and store.search("kyoto") == []
    store.rebuild_search_index()
    assert [h.message_id for h in store.search("倒排索引")] == [corpus["zh_a"]]
    assert store.search("kyoto")[0].conversation_id == corpus["named"]
    assert store.search("unfinished") == []  # still streaming: still out of the index
    store.finish_message(streaming.id)  # and the triggers agree with the rebuilt index
    assert [h.message_id for h in store.search("unfinished")] == [streaming.id]
    assert store.integrity_check() == ["ok"]
