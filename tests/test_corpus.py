"""The synthetic corpus generator: deterministic, varied, drawn from seeds, and parseable."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from devtools.corpus import generate
from flows.extract.article import Reference, extract
from flows.ingest.reading import content_type

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("corpus")
    generate(target, 30)
    return target


def test_same_seed_gives_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", 30)
    assert _contents(tmp_path / "again") == _contents(corpus)


def test_another_seed_gives_other_articles(corpus: Path, tmp_path: Path) -> None:
    generate(tmp_path / "other", 30, seed=8)
    other = _contents(tmp_path / "other")
    assert set(other.values()).isdisjoint(_contents(corpus).values())


def test_an_added_article_leaves_the_others_unchanged(corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "grown"
    generate(target, 29)
    generate(target, 1, start=29)
    assert _contents(target) == _contents(corpus)


def test_every_article_is_distinct_and_filed_by_outlet(corpus: Path) -> None:
    contents = _contents(corpus)
    assert len(contents) == 30
    assert len(set(contents.values())) == 30
    assert all(path.count("/") == 1 for path in contents)
    assert len({path.split("/")[0] for path in contents}) >= 10


def test_html_share_is_respected(tmp_path: Path) -> None:
    generate(tmp_path / "mixed", 200, html_share=0.3)
    html = len(list((tmp_path / "mixed").rglob("*.html")))
    assert 35 <= html <= 85
    generate(tmp_path / "plain", 40, html_share=0.0)
    assert not list((tmp_path / "plain").rglob("*.html"))


def test_pages_vary_in_quote_marks_dates_and_furniture(tmp_path: Path) -> None:
    generate(tmp_path / "many", 120)
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "many").rglob("*.*"))
    assert sum(mark in text for mark in ("“", "«", '"')) >= 2
    assert "Follow us on" in text and "All rights reserved" in text
    assert any(ch in text for ch in "əşğ") and any("а" <= ch <= "я" for ch in text)
    assert "phone" in text and "letter" in text and " met " in text


def test_people_come_from_the_seeds(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds, ignore=shutil.ignore_patterns("articles"))
    for name in ("people.csv", "roles.csv"):
        path = seeds / name
        path.write_text(
            path.read_text(encoding="utf-8").replace("Ilham Aliyev", "Ilham Testov"),
            encoding="utf-8",
        )
    generate(tmp_path / "out", 60, seeds_dir=seeds)
    text = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.*"))
    assert "Testov" in text
    assert "Ilham Aliyev" not in text


def test_articles_name_known_people(corpus: Path) -> None:
    with (SEEDS / "people.csv").open(encoding="utf-8") as handle:
        surnames = {row["person"].split()[-1] for row in csv.DictReader(handle)}
    for path in corpus.rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        assert sum(name in text for name in surnames) >= 2, path


def test_articles_parse_into_quotes_and_events(corpus: Path) -> None:
    reference = Reference.from_seeds(SEEDS)
    with_quotes = with_events = dated = 0
    for path in sorted(corpus.rglob("*.*")):
        text = path.read_text(encoding="utf-8")
        result = extract(text, content_type(path.name, text), reference)
        with_quotes += bool(result.quotes)
        with_events += bool(result.events)
        dated += result.document.published_date is not None
    assert with_quotes >= 27
    assert with_events >= 24
    assert dated >= 21
