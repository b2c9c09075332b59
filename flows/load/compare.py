"""Row-for-row comparison of the marts of two published warehouse files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.load.warehouse import MARTS, _quoted


@dataclass(frozen=True, slots=True)
class MartDifference:
    """How one mart of two warehouses differs: rows (with multiplicity) found only in one."""

    mart: str
    rows: int  # in the first warehouse
    other_rows: int
    only_here: int
    only_there: int

    @property
    def identical(self) -> bool:
        return self.only_here == 0 and self.only_there == 0


def compare_marts(first: Path, second: Path) -> list[MartDifference]:
    """Compare every mart of `first` with the same mart of `second`, every column, as
    multisets of rows (order does not matter; a row present twice counts twice)."""
    for path in (first, second):
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}")
    with duckdb.connect() as con:
        con.execute(f"attach {_quoted(first)} as a (read_only)")
        con.execute(f"attach {_quoted(second)} as b (read_only)")
        out = []
        for mart in MARTS:
            a, b = f"a.marts.{mart}", f"b.marts.{mart}"
            rows, other = (
                con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in (a, b)
            )
            only_a = con.execute(
                f"select count(*) from (select * from {a} except all select * from {b})"
            ).fetchall()[0][0]
            only_b = con.execute(
                f"select count(*) from (select * from {b} except all select * from {a})"
            ).fetchall()[0][0]
            out.append(MartDifference(mart, rows, other, only_a, only_b))
    return out
