"""The statement index's tables: every read and write `flows.link.statements` needs.

The tables are declared once, in warehouse/ddl.sql (schema `staging`): statement_links (the
output, one statement_id per current quote), statement_quotes (each indexed quote, numbered
by `seq`), statement_words (its content words), statement_hubs (the words found in more
current quotes than the postings cap), statement_edges (scored pairs above the threshold) and
statement_settings (the parameters the edges were found with). No similarity is computed
here; `flows.link.statements` decides what an edge is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl

from flows.load.warehouse import insert_frame, transaction
from flows.settings import PROJECT_ROOT

DDL_FILE = PROJECT_ROOT / "warehouse" / "ddl.sql"
INDEX_TABLES = ("links", "quotes", "words", "hubs", "edges", "settings")

QUOTE_SCHEMA = pl.Schema(
    {
        "seq": pl.Int64,
        "doc_id": pl.String,
        "quote_no": pl.Int32,
        "speaker": pl.String,
        "day": pl.Date,
        "quote_text": pl.String,
        "norm": pl.String,
        "sentences": pl.String,  # normalised sentences, one per line
        "words": pl.Int32,
    }
)
WORD_SCHEMA = pl.Schema(
    {
        "seq": pl.Int64,
        "word": pl.String,
        "speaker": pl.String,
        "day": pl.Date,
    }
)
EDGE_SCHEMA = pl.Schema(
    {
        "seq": pl.Int64,
        "other_seq": pl.Int64,
    }
)
# Both sides of a candidate pair, as `_pairs` returns them (`other_` prefixed for the second).
SIDE = ("seq", "doc_id", "speaker", "day", "quote_text", "norm", "sentences")

# A quote is the same indexed quote only when nothing compared has changed: re-cleaning a
# document (its outlet's template changed) can give the same key another text.
_SAME_QUOTE = """
    q.doc_id = c.doc_id and q.quote_no = c.quote_no
    and q.speaker is not distinct from c.speaker and q.day is not distinct from c.day
    and q.quote_text is not distinct from c.quote_text
"""

# Whether two word rows may belong to a candidate pair: the same speaker (or one unknown),
# days within the window (or one unknown). Checked inside the joins so pairs never pile up.
_COMPATIBLE = """
    (p.speaker is null or o.speaker is null or o.speaker = p.speaker)
    and (p.day is null or o.day is null or abs(p.day - o.day) <= $max_days)
"""

# Pairs (seq > other_seq) of quotes, one of them in seq range [lo, hi], that share at least
# two content words that are not hubs (or all the words of a quote with fewer).
_NEW_PAIRS = f"""
with probe as (
    select w.seq, w.word, w.speaker, w.day
    from staging.statement_words w
    where w.seq between $lo and $hi
      and w.word not in (select word from staging.statement_hubs)
)
select p.seq, o.seq as other_seq, count(*) as shared
from probe p
join staging.statement_words o on o.word = p.word and o.seq < p.seq and {_COMPATIBLE}
group by p.seq, o.seq
"""

# Pairs of indexed quotes (both before `first`) that share a word no longer a hub: those that
# are candidates now and were not under the hubs before (`was_hub`: the hubs of the last
# refresh, i.e. today's hubs without the new ones, with the freed ones).
_FREED_PAIRS = f"""
with freed as (
    select w.seq, w.word, w.speaker, w.day from staging.statement_words w
    where w.seq < $first and w.word in (select word from freed_words)
),
pairs as (
    select distinct p.seq, o.seq as other_seq
    from freed p join freed o on o.word = p.word and o.seq < p.seq and {_COMPATIBLE}
),
shared as (
    select p.seq, p.other_seq,
        count(*) filter (where a.word not in (select word from staging.statement_hubs)) as shared,
        count(*) filter (where a.word not in (select word from was_hub)) as shared_before
    from pairs p
    join staging.statement_words a on a.seq = p.seq
    join staging.statement_words b on b.seq = p.other_seq and b.word = a.word
    group by p.seq, p.other_seq
)
select s.seq, s.other_seq, s.shared from shared s
join staging.statement_quotes a on a.seq = s.seq
join staging.statement_quotes b on b.seq = s.other_seq
where s.shared_before < least(2, a.words, b.words)
"""

# Candidate pairs joined with both quotes' compared fields; different documents only, and
# enough shared words.
_WITH_SIDES = """
select
    a.seq, a.doc_id, a.speaker, a.day, a.quote_text, a.norm, a.sentences,
    b.seq as other_seq, b.doc_id as other_doc_id, b.speaker as other_speaker,
    b.day as other_day, b.quote_text as other_quote_text, b.norm as other_norm,
    b.sentences as other_sentences
from ({pairs}) s
join staging.statement_quotes a on a.seq = s.seq
join staging.statement_quotes b on b.seq = s.other_seq
where a.doc_id <> b.doc_id and s.shared >= least(2, a.words, b.words)
"""

# Edges whose two quotes share a word that just became a hub, with the shared words that are
# still not hubs: fewer than the candidate rule asks for, and the edge is no longer found.
_WEAKENED_EDGES = """
with touched as (
    select distinct e.seq, e.other_seq from staging.statement_edges e
    join staging.statement_words a on a.seq = e.seq
    join staging.statement_words b on b.seq = e.other_seq and b.word = a.word
    where a.word in (select word from new_hubs)
),
shared as (
    select t.seq, t.other_seq,
        count(a.word) filter (where a.word not in (select word from staging.statement_hubs))
            as shared
    from touched t
    join staging.statement_words a on a.seq = t.seq
    join staging.statement_words b on b.seq = t.other_seq and b.word = a.word
    group by t.seq, t.other_seq
)
select s.seq, s.other_seq from shared s
join staging.statement_quotes a on a.seq = s.seq
join staging.statement_quotes b on b.seq = s.other_seq
where s.shared < least(2, a.words, b.words)
"""


@contextmanager
def in_memory() -> Iterator[StatementStore]:
    """A store on a private in-memory database (the warehouse schema applied)."""
    with duckdb.connect() as con:
        con.execute(DDL_FILE.read_text(encoding="utf-8"))
        yield StatementStore(con)


class StatementStore:
    """Reads and writes of the statement index on one connection (tables in `staging`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._current = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with transaction(self.con):
            yield

    @contextmanager
    def current(self, quotes: str | pl.DataFrame) -> Iterator[str]:
        """A relation name for the current quotes (a query, or a frame registered for it):
        doc_id, quote_no, speaker, quote_text, day."""
        if isinstance(quotes, str):
            yield f"({quotes})"
            return
        self._current += 1
        name = f"statement_current_{self._current}"
        self.con.register(name, quotes)
        try:
            yield name
        finally:
            self.con.unregister(name)

    def _scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        return self.con.execute(sql, params or {}).fetchall()[0][0]

    # -- settings and reset ------------------------------------------------------------------

    def settings_match(self, values: dict[str, Any]) -> bool:
        """Whether the edges were found with these settings (and the index is not empty)."""
        row = self.con.execute(
            "select hub_postings, threshold, max_days from staging.statement_settings"
        ).fetchall()
        indexed = self._scalar("select count(*) from staging.statement_quotes")
        wanted = (values["hub_postings"], values["threshold"], values["max_days"])
        return bool(indexed) and row == [wanted]

    def reset(self, values: dict[str, Any]) -> None:
        """Forget every quote, edge and link; remember the settings the next ones use."""
        for table in INDEX_TABLES:
            self.con.execute(f"delete from staging.statement_{table}")
        self.con.execute(
            "insert into staging.statement_settings values ($hub_postings, $threshold, $max_days)",
            values,
        )

    # -- quotes ------------------------------------------------------------------------------

    def drop_gone(self, current: str) -> tuple[set[str], set[str], set[str]]:
        """Forget the indexed quotes not in `current` (or changed), their words and edges.
        Returns the statements they belonged to, their documents and their words."""
        con = self.con
        con.execute(
            "create or replace temp table gone_quotes as "
            "select q.seq, q.doc_id, q.quote_no from staging.statement_quotes q "
            f"anti join {current} c on {_SAME_QUOTE}"
        )
        statements = self._column(
            "select distinct l.statement_id from staging.statement_links l "
            "semi join gone_quotes g using (doc_id, quote_no)"
        )
        docs = self._column("select distinct doc_id from gone_quotes")
        words = self._column(
            "select distinct word from staging.statement_words "
            "where seq in (select seq from gone_quotes)"
        )
        con.execute(
            "delete from staging.statement_edges where seq in (select seq from gone_quotes) "
            "or other_seq in (select seq from gone_quotes)"
        )
        for table in ("statement_quotes", "statement_words"):
            con.execute(f"delete from staging.{table} where seq in (select seq from gone_quotes)")
        con.execute(
            "delete from staging.statement_links where (doc_id, quote_no) in "
            "(select (doc_id, quote_no) from gone_quotes)"
        )
        return statements, docs, words

    def _column(self, sql: str, params: dict[str, Any] | None = None) -> set[Any]:
        return {row[0] for row in self.con.execute(sql, params or {}).fetchall()}

    def fresh(self, current: str) -> pl.DataFrame:
        """The current quotes not indexed yet, by (doc_id, quote_no)."""
        return self.con.sql(
            f"select c.doc_id, c.quote_no, c.speaker, c.quote_text, c.day from {current} c "
            f"anti join staging.statement_quotes q on {_SAME_QUOTE} "
            "order by c.doc_id, c.quote_no"
        ).pl()

    def next_seq(self) -> int:
        return int(self._scalar("select coalesce(max(seq), -1) + 1 from staging.statement_quotes"))

    def add(self, quotes: pl.DataFrame, words: list[tuple[int, str, Any, Any]]) -> None:
        """Index quotes (QUOTE_SCHEMA columns) and their content words (seq, word, speaker,
        day)."""
        insert_frame(self.con, "staging.statement_quotes", quotes.cast(QUOTE_SCHEMA))
        insert_frame(
            self.con,
            "staging.statement_words",
            pl.DataFrame(words, schema=WORD_SCHEMA, orient="row"),
        )

    # -- hubs --------------------------------------------------------------------------------

    def update_hubs(self, words: Iterable[str] | None, cap: int) -> tuple[list[str], list[str]]:
        """Recount the quotes holding each of `words` (None: every word) and keep the hubs,
        the words in more than `cap` current quotes; returns (new hubs, words no longer hubs).
        A word not counted keeps its count, hence its hub status."""
        con = self.con
        frame = pl.DataFrame({"word": sorted(set(words or ()))}, schema={"word": pl.String})
        con.register("touched_words", frame)
        try:
            scope = "" if words is None else "where word in (select word from touched_words)"
            con.execute(
                "create or replace temp table counted_hubs as "
                f"select word from staging.statement_words {scope} "
                "group by word having count(*) > $cap",
                {"cap": cap},
            )
            old_scope = "" if words is None else "where word in (select word from touched_words)"
            new = sorted(
                self._column(
                    "select word from counted_hubs except "
                    f"select word from staging.statement_hubs {old_scope}"
                )
            )
            freed = sorted(
                self._column(
                    f"select word from staging.statement_hubs {old_scope} "
                    "except select word from counted_hubs"
                )
            )
            con.execute(
                f"delete from staging.statement_hubs {old_scope}; "
                "insert into staging.statement_hubs select word from counted_hubs"
            )
        finally:
            con.unregister("touched_words")
        return new, freed

    # -- candidate pairs and edges -----------------------------------------------------------

    def new_pairs(self, lo: int, hi: int, max_days: int) -> pl.DataFrame:
        """Candidate pairs of quotes lo..hi with every earlier one, both sides' fields."""
        return self.con.sql(
            _WITH_SIDES.format(pairs=_NEW_PAIRS),
            params={"lo": lo, "hi": hi, "max_days": max_days},
        ).pl()

    def freed_pairs(
        self, freed: list[str], new_hubs: list[str], first: int, max_days: int
    ) -> pl.DataFrame:
        """Candidate pairs of quotes indexed before `first` that were not candidates before
        `freed` stopped being hubs (and `new_hubs` became hubs)."""
        if not freed:
            return pl.DataFrame()
        con = self.con
        con.register("freed_words", pl.DataFrame({"word": freed}, schema={"word": pl.String}))
        con.register("new_hubs", pl.DataFrame({"word": new_hubs}, schema={"word": pl.String}))
        try:
            con.execute(
                "create or replace temp table was_hub as "
                "select word from staging.statement_hubs anti join new_hubs using (word) "
                "union select word from freed_words"
            )
            return con.sql(
                _WITH_SIDES.format(pairs=_FREED_PAIRS),
                params={"first": first, "max_days": max_days},
            ).pl()
        finally:
            con.unregister("freed_words")
            con.unregister("new_hubs")

    def drop_weakened_edges(self, new_hubs: list[str]) -> list[int]:
        """Delete the edges whose quotes no longer share enough non-hub words now that
        `new_hubs` are hubs; returns the seqs of their quotes."""
        if not new_hubs:
            return []
        con = self.con
        con.register("new_hubs", pl.DataFrame({"word": new_hubs}, schema={"word": pl.String}))
        try:
            weak = con.sql(_WEAKENED_EDGES).fetchall()
        finally:
            con.unregister("new_hubs")
        if weak:
            con.register("weak_edges", pl.DataFrame(weak, schema=EDGE_SCHEMA, orient="row"))
            try:
                con.execute(
                    "delete from staging.statement_edges "
                    "where (seq, other_seq) in (select (seq, other_seq) from weak_edges)"
                )
            finally:
                con.unregister("weak_edges")
        return sorted({seq for edge in weak for seq in edge})

    def add_edges(self, edges: list[tuple[int, int]]) -> None:
        if edges:
            frame = pl.DataFrame(edges, schema=EDGE_SCHEMA, orient="row")
            insert_frame(self.con, "staging.statement_edges", frame)

    # -- statements --------------------------------------------------------------------------

    def statements_of(self, seqs: Iterable[int]) -> set[str]:
        """The statements the quotes numbered `seqs` belong to."""
        wanted = sorted(set(seqs))
        if not wanted:
            return set()
        return self._column(
            "select distinct l.statement_id from staging.statement_links l "
            "join staging.statement_quotes q using (doc_id, quote_no) "
            "where list_contains($seqs, q.seq)",
            {"seqs": wanted},
        )

    def component_input(
        self, affected: set[str], first: int
    ) -> tuple[pl.DataFrame, list[tuple[int, int]]]:
        """The quotes of the `affected` statements and those numbered from `first` on (seq,
        doc_id, quote_no by (doc_id, quote_no)), and every edge between two of them."""
        con = self.con
        frame = pl.DataFrame({"statement_id": sorted(affected)}, schema={"statement_id": pl.String})
        con.register("affected_statements", frame)
        try:
            con.execute(
                "create or replace temp table component_nodes as "
                "select q.seq, q.doc_id, q.quote_no from staging.statement_quotes q "
                "where q.seq >= $first or (q.doc_id, q.quote_no) in ("
                "  select (doc_id, quote_no) from staging.statement_links "
                "  semi join affected_statements using (statement_id))",
                {"first": first},
            )
        finally:
            con.unregister("affected_statements")
        nodes = con.sql("select * from component_nodes order by doc_id, quote_no").pl()
        edges = con.execute(
            "select seq, other_seq from staging.statement_edges "
            "where seq in (select seq from component_nodes)"
        ).fetchall()
        return nodes, edges

    def replace_links(self, links: pl.DataFrame) -> set[str]:
        """Replace the links of the quotes in `links` (doc_id, quote_no, statement_id);
        returns the documents of those whose statement is new or moved."""
        con = self.con
        con.register("new_links", links)
        try:
            moved = self._column(
                "select n.doc_id from new_links n left join staging.statement_links l "
                "using (doc_id, quote_no) "
                "where l.statement_id is distinct from n.statement_id"
            )
            con.execute(
                "delete from staging.statement_links where (doc_id, quote_no) in "
                "(select (doc_id, quote_no) from new_links)"
            )
        finally:
            con.unregister("new_links")
        insert_frame(con, "staging.statement_links", links)
        return moved

    def links(self) -> pl.DataFrame:
        """Every quote's statement_id, ordered by (doc_id, quote_no)."""
        return self.con.sql(
            "select doc_id, quote_no::bigint as quote_no, statement_id "
            "from staging.statement_links order by doc_id, quote_no"
        ).pl()

    def statement_count(self) -> int:
        return int(self._scalar("select count(distinct statement_id) from staging.statement_links"))
