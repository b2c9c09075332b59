"""Warehouse helpers that every stage relies on."""

from __future__ import annotations

import duckdb
import pytest

from flows.load.warehouse import transaction


def test_transaction_commits_or_rolls_back_everything() -> None:
    with duckdb.connect() as con:
        con.execute("create table t (x integer)")
        with transaction(con):
            con.execute("insert into t values (1)")
        with pytest.raises(RuntimeError), transaction(con):
            con.execute("insert into t values (2)")
            raise RuntimeError("stage failed")
        assert con.execute("select list(x) from t").fetchall() == [([1],)]


def test_inner_transaction_joins_the_outer_one() -> None:
    """A helper's own transaction inside a caller's: one unit, rolled back together."""
    with duckdb.connect() as con:
        con.execute("create table t (x integer)")
        with pytest.raises(RuntimeError), transaction(con):
            with transaction(con):
                con.execute("insert into t values (1)")
            raise RuntimeError("a later step failed")
        assert con.execute("select count(*) from t").fetchall() == [(0,)]
        with transaction(con):  # the connection is usable again
            con.execute("insert into t values (3)")
        assert con.execute("select count(*) from t").fetchall() == [(1,)]
