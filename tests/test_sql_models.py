"""The real dbt_like_sql models, tested like dbt unit tests: landing rows in, exact marts out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.models.runner import SqlAuditError, build, run_audits

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_like_sql"
DDL = ROOT / "warehouse" / "ddl.sql"

RAISI, ALIYEV, ALIYEVA = "Ebrahim Raisi", "Ilham Aliyev", "Mehriban Aliyeva"
D = date.fromisoformat

# Two articles report meeting m-1; d1 also reports a message (m-2); d3 reports nothing.
# c/copy.txt holds the same bytes as b/two.txt (same doc_id) and must collapse into it.
DOCUMENTS = [
    ("a/one.txt", "d1", "2021-08-05", "Outlet A"),
    ("b/two.txt", "d2", "2021-08-06", "Outlet B"),
    ("c/copy.txt", "d2", "2021-08-06", "Outlet B"),
    ("z/three.txt", "d3", "2021-09-01", "Outlet C"),
]
EVENTS = [
    # doc, path, no, kind, date, certain, location, occasion, participants, first, last
    ("d1", "a/one.txt", 0, "meeting", "2021-08-05", True, "Tehran", "inauguration",
     [RAISI, ALIYEV], 0, 1),
    ("d1", "a/one.txt", 1, "message", "2021-08-04", False, None, None, [RAISI, ALIYEV], 2, 2),
    ("d2", "b/two.txt", 0, "meeting", "2021-08-06", False, "Tehran",
     "inauguration of President Raisi", [ALIYEVA, RAISI, ALIYEV], 0, 1),
]  # fmt: skip
MEETING_LINKS = [("d1", 0, "m-1"), ("d2", 0, "m-1"), ("d1", 1, "m-2")]
PARAGRAPH_TOPICS = {
    "d1": [["economy_trade"], ["economy_trade", "energy"], ["security"]],
    "d2": [["economy_trade"], [], ["energy"]],  # paragraph 2 lies outside every event
    "d3": [["nuclear"]],
}
QUOTES = [
    # doc, no, paragraph, speaker, event_no, topics
    ("d1", 0, 1, RAISI, 0, ["economy_trade"]),
    ("d1", 1, 2, ALIYEV, 1, []),
    ("d2", 0, 0, RAISI, 0, ["economy_trade"]),
    ("d2", 1, 1, None, None, ["security"]),
]
STATEMENT_LINKS = [("d1", 0, "s-1"), ("d2", 0, "s-1")]
MENTIONS = [("d1", 0, RAISI), ("d1", 0, ALIYEV), ("d2", 0, RAISI), ("d2", 1, ALIYEVA)]
REMOVED = [("d1", 1, "Home | News", "boilerplate"), ("d2", 3, "Share this", "boilerplate")]
SEED_PEOPLE = [(RAISI, "Iran", ["Raisi", "Ibrahim Raisi"]), (ALIYEV, "Azerbaijan", ["Aliyev"])]
SEED_ROLES = [
    (RAISI, "president", "Iran", "2021-08-03", "2024-05-19"),
    (RAISI, "chief_justice", "Iran", "2019-03-07", "2021-07-01"),
    (ALIYEV, "president", "Azerbaijan", "2003-10-31", None),
]
SEED_TOPICS = [
    ("economy_trade", "Economy and trade"),
    ("energy", "Energy"),
    ("security", "Security"),
    ("nuclear", "Nuclear"),
]


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert dict rows into a landing table (columns named by the dict keys)."""
    columns = list(rows[0])
    marks = ", ".join("?" for _ in columns)
    con.executemany(
        f"insert into {table} ({', '.join(columns)}) values ({marks})",
        [[row[c] for c in columns] for row in rows],
    )


def paths_of(doc_id: str) -> list[str]:
    """Every source path holding this doc_id (copies get the same extraction rows)."""
    return [path for path, doc, *_ in DOCUMENTS if doc == doc_id]


def land(con: duckdb.DuckDBPyConnection) -> None:
    """Write the hand-made landing rows."""
    insert(
        con,
        "staging.documents",
        [
            {
                "source_path": p,
                "doc_id": d,
                "content_type": "text",
                "title": f" Title {d} ",
                "subtitle": "",
                "published_date": pub,
                "dateline": "TEHRAN",
                "outlet": outlet,
                "byline": None,
                "body": "body",
                "paragraph_count": len(PARAGRAPH_TOPICS[d]),
                "removed_line_count": 1,
                "run_id": "r1",
            }
            for p, d, pub, outlet in DOCUMENTS
        ],
    )
    insert(
        con,
        "staging.paragraphs",
        [
            {"source_path": p, "doc_id": d, "paragraph_no": n, "text": f"{d} p{n}", "topics": t}
            for d, topics in PARAGRAPH_TOPICS.items()
            for p in paths_of(d)
            for n, t in enumerate(topics)
        ],
    )
    insert(
        con,
        "staging.events",
        [
            {
                "source_path": p,
                "doc_id": d,
                "event_no": n,
                "kind": kind,
                "trigger": "met",
                "event_date": day,
                "date_certain": certain,
                "location": loc,
                "country": "Iran" if loc else None,
                "occasion": occ,
                "participants": people,
                "first_paragraph": first,
                "last_paragraph": last,
            }
            for d, _, n, kind, day, certain, loc, occ, people, first, last in EVENTS
            for p in paths_of(d)
        ],
    )
    insert(
        con,
        "staging.quotes",
        [
            {
                "source_path": p,
                "doc_id": d,
                "quote_no": n,
                "paragraph_no": par,
                "speaker": who,
                "quote_text": f"words {d}-{n}",
                "attribution_verb": "Said",
                "is_partial": False,
                "event_no": ev,
                "topics": t,
            }
            for d, n, par, who, ev, t in QUOTES
            for p in paths_of(d)
        ],
    )
    insert(
        con,
        "staging.mentions",
        [
            {
                "source_path": p,
                "doc_id": d,
                "paragraph_no": n,
                "person": who,
                "surface": who,
                "how": "name",
            }
            for d, n, who in MENTIONS
            for p in paths_of(d)
        ],
    )
    insert(
        con,
        "staging.removed_lines",
        [
            {"source_path": p, "doc_id": d, "line_no": n, "text": text, "reason": why}
            for d, n, text, why in REMOVED
            for p in paths_of(d)
        ],
    )
    insert(
        con,
        "staging.meeting_links",
        [{"doc_id": d, "event_no": n, "meeting_id": m} for d, n, m in MEETING_LINKS],
    )
    insert(
        con,
        "staging.statement_links",
        [{"doc_id": d, "quote_no": n, "statement_id": s} for d, n, s in STATEMENT_LINKS],
    )
    insert(
        con,
        "staging.seed_people",
        [{"person": p, "country": c, "aliases": a} for p, c, a in SEED_PEOPLE],
    )
    insert(
        con,
        "staging.seed_roles",
        [
            {"person": p, "role": r, "country": c, "valid_from": f, "valid_to": t}
            for p, r, c, f, t in SEED_ROLES
        ],
    )
    insert(
        con,
        "staging.seed_topics",
        [{"topic": t, "label": label, "keywords": [t]} for t, label in SEED_TOPICS],
    )


@pytest.fixture(scope="module")
def built() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute(DDL.read_text(encoding="utf-8"))
    land(con)
    build(con, MODELS)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def test_meetings(built: duckdb.DuckDBPyConnection) -> None:
    assert rows(built, """
        select meeting_id, meeting_date, kind, location, country, occasion, participants,
               source_count, source_paths, quote_count, topics
        from marts.meetings order by meeting_id
    """) == [
        # the certain date beats the inferred one; the longer occasion wins the tie
        ("m-1", D("2021-08-05"), "meeting", "Tehran", "Iran", "inauguration of President Raisi",
         [RAISI, ALIYEV, ALIYEVA], 2, ["a/one.txt", "b/two.txt"], 2, ["economy_trade", "energy"]),
        ("m-2", D("2021-08-04"), "message", None, None, None, [RAISI, ALIYEV], 1, ["a/one.txt"],
         1, ["security"]),
    ]  # fmt: skip


def test_topics(built: duckdb.DuckDBPyConnection) -> None:
    assert rows(built, "select * from marts.topics order by meeting_id, topic") == [
        ("m-1", D("2021-08-05"), "economy_trade", "Economy and trade", 3, 2),
        ("m-1", D("2021-08-05"), "energy", "Energy", 1, 0),
        ("m-2", D("2021-08-04"), "security", "Security", 1, 0),
    ]


def test_quotes(built: duckdb.DuckDBPyConnection) -> None:
    assert rows(built, """
        select quote_id, doc_id, source_path, speaker, attribution_verb, paragraph_no,
               published_date, outlet, meeting_id, statement_id, topics
        from marts.quotes order by quote_id
    """) == [
        ("d1-0", "d1", "a/one.txt", RAISI, "said", 1, D("2021-08-05"), "Outlet A", "m-1", "s-1",
         ["economy_trade"]),
        ("d1-1", "d1", "a/one.txt", ALIYEV, "said", 2, D("2021-08-05"), "Outlet A", "m-2", "d1-1",
         []),
        ("d2-0", "d2", "b/two.txt", RAISI, "said", 0, D("2021-08-06"), "Outlet B", "m-1", "s-1",
         ["economy_trade"]),
        ("d2-1", "d2", "b/two.txt", None, "said", 1, D("2021-08-06"), "Outlet B", None, "d2-1",
         ["security"]),
    ]  # fmt: skip


def test_documents(built: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        built,
        """
        select doc_id, source_path, title, subtitle, published_date, kind, paragraph_count
        from marts.documents order by doc_id
    """,
    ) == [
        ("d1", "a/one.txt", "Title d1", None, D("2021-08-05"), "meeting", 3),
        ("d2", "b/two.txt", "Title d2", None, D("2021-08-06"), "meeting", 3),
        ("d3", "z/three.txt", "Title d3", None, D("2021-09-01"), "other", 1),
    ]


def test_people(built: duckdb.DuckDBPyConnection) -> None:
    assert rows(built, "select * from marts.people order by person") == [
        (RAISI, "Iran",
         ["Chief justice of Iran (2019-03-07 – 2021-07-01)",
          "President of Iran (2021-08-03 – 2024-05-19)"],
         ["Ibrahim Raisi", "Raisi"], 2, True),
        (ALIYEV, "Azerbaijan", ["President of Azerbaijan (2003-10-31 – present)"], ["Aliyev"], 1,
         True),
        (ALIYEVA, None, [], [], 1, False),
    ]  # fmt: skip


def test_removed_lines(built: duckdb.DuckDBPyConnection) -> None:
    assert rows(built, "select * from marts.removed_lines order by doc_id") == [
        ("d1", "a/one.txt", 1, "Home | News", "boilerplate"),
        ("d2", "b/two.txt", 3, "Share this", "boilerplate"),
    ]


@pytest.mark.parametrize(
    ("mart", "key"),
    [
        ("documents", "doc_id"),
        ("meetings", "meeting_id"),
        ("quotes", "quote_id"),
        ("topics", "meeting_id || '/' || topic"),
        ("people", "person"),
        ("removed_lines", "doc_id || '/' || line_no"),
    ],
)
def test_grain_key_unique_not_null(built: duckdb.DuckDBPyConnection, mart: str, key: str) -> None:
    total, distinct, nulls = rows(
        built, f"select count(*), count(distinct {key}), count(*) - count({key}) from marts.{mart}"
    )[0]
    assert total > 0
    assert (distinct, nulls) == (total, 0)


def test_audits_pass(built: duckdb.DuckDBPyConnection) -> None:
    results = run_audits(built, MODELS)
    assert len(results) >= 8
    assert [r for r in results if not r.passed] == []


def test_every_mart_column_has_a_comment(built: duckdb.DuckDBPyConnection) -> None:
    undescribed = rows(
        built,
        "select table_name, column_name from duckdb_columns() "
        "where schema_name = 'marts' and (comment is null or comment = '')",
    )
    assert undescribed == []


@pytest.mark.parametrize(
    ("landing_sql", "audit"),
    [
        # a topic id the taxonomy does not know
        ("update staging.paragraphs set topics = ['made_up'] where doc_id = 'd1' "
         "and paragraph_no = 0", "topics_in_taxonomy"),
        # the same removed line twice
        ("insert into staging.removed_lines select * from staging.removed_lines "
         "where doc_id = 'd1'", "removed_lines_doc_id_line_no_unique"),
        # an event kind outside the contract
        ("update staging.events set kind = 'dinner' where doc_id = 'd1' and event_no = 1",
         "meetings_kind_accepted_values"),
    ],
)  # fmt: skip
def test_audit_fails_on_bad_landing_rows(landing_sql: str, audit: str) -> None:
    con = duckdb.connect()
    con.execute(DDL.read_text(encoding="utf-8"))
    land(con)
    con.execute(landing_sql)
    with pytest.raises(SqlAuditError, match=audit) as err:
        build(con, MODELS)
    assert [f.name for f in err.value.failures] == [audit]
    con.close()
