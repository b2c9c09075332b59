"""Issue 14: the marts do not depend on the order in which articles arrive.

A synthetic corpus arrives in a random sequence of runs (seeded, so a failure replays):
batches of new files, an edited file, a deleted file, and runs killed with SIGKILL at random
stage boundaries (before and after the documents land). The final marts must equal a
`--full-refresh` build of the same files, row for row. The corpus is large enough, and the hub
cap small enough, that statement hubs and page templates both change during the sequence.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from devtools.corpus import generate
from flows.link.statements import StatementIndex, load_synonyms
from flows.load.statement_store import StatementStore, in_memory
from tests.conftest import PROJECT
from tests.test_operations import harness_env, summitry
from tests.test_pipeline import RunSummary, run, snapshot

# Seeds of the arrival sequences; SUMMITRY_ORDER_SEEDS="1 2 3" tries others.
SEEDS = [int(s) for s in os.environ.get("SUMMITRY_ORDER_SEEDS", "14").split()]
HUB_POSTINGS = 6  # small, so that words become (and stop being) hubs as files come and go
FOLDERS, PER_FOLDER = 3, 14
# Kill a victim run once one of these tasks has finished (a stage boundary): one before the
# documents land, then one after (their changes landed, not published).
KILL_BEFORE_LANDING = ("land_raw", "count_lines", "update_templates")
KILL_AFTER_LANDING = ("land_staging", "link", "build_models")


def _corpus(target: Path) -> list[Path]:
    """PER_FOLDER articles from each of FOLDERS outlet folders, as paths relative to
    `target`, plus two at the top (no template there)."""
    pool = target.parent / "pool"
    generate(pool, 400, seed=11)
    files = sorted(p.relative_to(pool) for p in pool.rglob("*") if p.is_file())
    by_folder: dict[Path, list[Path]] = {}
    for path in files:
        by_folder.setdefault(path.parent, []).append(path)
    folders = sorted(by_folder, key=lambda f: (-len(by_folder[f]), str(f)))[:FOLDERS]
    chosen = [p for f in folders for p in by_folder[f][:PER_FOLDER]]
    for index, path in enumerate(by_folder[folders[-1]][PER_FOLDER : PER_FOLDER + 2]):
        chosen.append(Path(f"top_{index}{path.suffix}"))
        (pool / chosen[-1]).write_bytes((pool / path).read_bytes())
    for path in chosen:
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(pool / path, target / path)
    return chosen


def _killed_run(source: Path, db: Path, tmp_path: Path, after: str) -> None:
    """A run in another process, SIGKILLed once task `after` has finished (if it runs)."""
    env = harness_env(tmp_path) | {"SUMMITRY_STATEMENT_HUB_POSTINGS": str(HUB_POSTINGS)}
    victim = subprocess.Popen(
        summitry("run", "--source", str(source), "--warehouse", str(db)),
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert victim.stdout is not None
    for line in victim.stdout:
        if f"{after}-" in line and "Finished" in line:
            victim.send_signal(signal.SIGKILL)
            break
    victim.stdout.read()
    victim.wait(timeout=300)


def _work_counts(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db.with_name(f"{db.stem}.work{db.suffix}")), read_only=True) as con:
        hubs = con.execute("select count(*) from staging.statement_hubs").fetchall()[0][0]
        templates = con.execute("select count(*) from staging.outlet_templates").fetchall()[0][0]
    return hubs, templates


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize("seed", SEEDS)
def test_random_arrival_equals_a_full_refresh(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMITRY_STATEMENT_HUB_POSTINGS", str(HUB_POSTINGS))
    rng = random.Random(seed)
    everything = tmp_path / "everything"
    files = _corpus(everything)
    rng.shuffle(files)
    source, db = tmp_path / "articles", tmp_path / "wh.duckdb"
    source.mkdir()

    def arrive(paths: list[Path]) -> None:
        for path in paths:
            (source / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(everything / path, source / path)

    first, second, third = files[: len(files) // 3], files[len(files) // 3 : -8], files[-8:]
    arrive(first)
    _ok(run(source, db))
    # More files, one edited, one deleted.
    arrive(second)
    edited, deleted = rng.sample(first, 2)
    with (source / edited).open("a", encoding="utf-8") as handle:
        handle.write("\n\nThis article was updated.\n")
    (source / deleted).unlink()
    _ok(run(source, db))
    # The last files arrive; two runs are killed at random stage boundaries, the next finishes.
    arrive(third)
    _killed_run(source, db, tmp_path, rng.choice(KILL_BEFORE_LANDING))
    _killed_run(source, db, tmp_path, rng.choice(KILL_AFTER_LANDING))
    _ok(run(source, db))
    hubs, templates = _work_counts(db)
    assert hubs > 0 and templates > 0, "the corpus must exercise hubs and templates"

    reference = tmp_path / "reference.duckdb"
    _ok(run(source, reference, full_refresh=True))
    got, want = snapshot(db), snapshot(reference)
    for mart in want:
        missing, extra = set(want[mart]) - set(got[mart]), set(got[mart]) - set(want[mart])
        assert got[mart] == want[mart], f"{mart}: {len(missing)} rows missing, {len(extra)} extra"


def _ok(summary: RunSummary) -> None:
    assert summary.status == "success", summary.message


# -- the statement index alone: many more sequences, in memory -----------------------------

_WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
]
_QUOTES = {
    "doc_id": pl.String,
    "quote_no": pl.Int64,
    "speaker": pl.String,
    "quote_text": pl.String,
    "day": pl.Date,
}


def _quotes(rng: random.Random, count: int) -> list[dict]:
    """Variants of a few word sequences (a word swapped, the order shuffled): many near
    duplicates, a small vocabulary, so a small cap makes and unmakes hubs."""
    bases = [rng.sample(_WORDS, rng.randint(4, 9)) for _ in range(count // 4 + 1)]
    rows = []
    for n in range(count):
        words = list(rng.choice(bases))
        if rng.random() < 0.5:
            words[rng.randrange(len(words))] = rng.choice(_WORDS)
        if rng.random() < 0.3:
            rng.shuffle(words)
        rows.append(
            {
                "doc_id": f"d{n // 3:03d}",
                "quote_no": n % 3,
                "speaker": rng.choice(["A", "B", None]),
                "quote_text": " ".join(words).capitalize() + ".",
                "day": date(2021, 1, 1) + timedelta(days=rng.randint(0, 3)),
            }
        )
    return rows


def _links(index: StatementIndex) -> dict[tuple[str, int], str]:
    return {(r["doc_id"], r["quote_no"]): r["statement_id"] for r in index.links().to_dicts()}


@pytest.mark.parametrize("seed", range(3))
def test_statement_index_follows_any_arrival_order(seed: int) -> None:
    """Documents arrive and leave in random steps, in random chunk sizes, with a random small
    hub cap; after every step the links equal a link of the current quotes from nothing."""
    rng = random.Random(seed)
    rows, cap = _quotes(rng, 90), rng.randint(3, 12)
    docs = sorted({row["doc_id"] for row in rows})
    synonyms = load_synonyms(PROJECT / "seeds" / "quote_synonyms.csv")
    changes = {"hubs made": 0, "hubs freed": 0}
    with in_memory() as store:
        index = StatementIndex(store, synonyms, hub_postings=cap, chunk=rng.randint(2, 20))
        present: set[str] = set()
        for step in range(8):
            arriving = set(rng.sample(docs, rng.randint(1, 12))) if step < 7 else set()
            leaving = set(rng.sample(sorted(present), min(len(present), rng.randint(0, 4))))
            if step == 7:  # half the documents leave at once: hubs are freed
                leaving = set(rng.sample(sorted(present), len(present) // 2))
            present = (present | arriving) - leaving
            current = pl.DataFrame([r for r in rows if r["doc_id"] in present], schema=_QUOTES)
            hubs_before = _hubs(store)
            index.refresh(current)
            hubs_after = _hubs(store)
            changes["hubs made"] += len(hubs_after - hubs_before)
            changes["hubs freed"] += len(hubs_before - hubs_after)
            with in_memory() as fresh:
                whole = StatementIndex(fresh, synonyms, hub_postings=cap)
                whole.refresh(current)
                assert _links(index) == _links(whole)
    assert changes["hubs made"] and changes["hubs freed"], changes


def _hubs(store: StatementStore) -> set[str]:
    return {
        row[0] for row in store.con.execute("select word from staging.statement_hubs").fetchall()
    }


# -- summitry verify ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_verify_finds_a_published_mart_that_a_rebuild_does_not_give(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    db = tmp_path / "wh.duckdb"
    _ok(run(corpus, db))
    args = ["verify", "--source", str(corpus), "--warehouse", str(db)]
    assert main(args) == 0
    assert "identical" in capsys.readouterr().out
    with duckdb.connect(str(db)) as con:  # a mart no build of these files gives
        con.execute("update marts.quotes set statement_id = 'tampered' where quote_no = 0")
        tampered = con.execute("select count(*) from marts.quotes where quote_no = 0").fetchall()
    assert main(args) == 1
    out = capsys.readouterr().out
    assert f"quotes: {2 * tampered[0][0]} rows differ" in out
    assert "documents: 0 rows differ" in out and "DIFFERENT" in out
