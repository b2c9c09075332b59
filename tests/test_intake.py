"""Reading in the workers (flows/orchestration/intake.py): the first pass reads, decodes and
counts lines in the workers; the second pass reads the files this run landed again from disk
instead of from the raw layer, and falls back to the raw layer for any that changed since."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flows.extract.article import Reference
from flows.ingest.reading import SourceFile
from flows.load import warehouse
from flows.load.transform import raw_frame
from flows.orchestration.intake import (
    OnDisk,
    clean_extract_read,
    read_and_count,
    read_files,
    reread,
    start_reading,
)
from flows.orchestration.parallel import Workers
from flows.orchestration.stages import clean_extract_frames
from flows.orchestration.templates import key_items, members
from flows.settings import Settings
from tests.conftest import PROJECT, SAMPLE_ARTICLES


@pytest.fixture(scope="module")
def reference() -> Reference:
    return Reference.from_seeds(PROJECT / "seeds")


def _source(root: Path, rel_path: str, data: bytes) -> SourceFile:
    path = root / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return SourceFile(str(path), rel_path, hashlib.sha256(data).hexdigest(), len(data))


def _files(root: Path) -> list[SourceFile]:
    articles = sorted(SAMPLE_ARTICLES.iterdir())[:6]
    files = [_source(root, f"outlet/{p.name}", p.read_bytes()) for p in articles]
    files.append(_source(root, "top.txt", articles[0].read_bytes() + b"\nmore"))
    files.append(_source(root, "outlet/empty.txt", b""))
    files.append(_source(root, "outlet/legacy.txt", "Министр заявил.\n".encode("cp1251") * 20))
    files.append(SourceFile(str(root / "gone.txt"), "gone.txt", "0" * 64, 3))
    return files


def test_workers_read_as_the_flow_did(tmp_path: Path, reference: Reference) -> None:
    """read_and_count gives read_files' documents and rejections, with the line keys of the
    documents in a subfolder; split into chunks or not, in batch order."""
    files = _files(tmp_path)
    loaded, rejected = read_files(files, 10.0, "r1")
    assert [item.source_path for item in loaded] == [
        f.rel_path for f in files if f.rel_path not in ("outlet/empty.txt", "gone.txt")
    ]
    assert {r.row["source_path"]: r.row["stage"] for r in rejected} == {
        "outlet/empty.txt": "decode",
        "gone.txt": "read",
    }
    assert next(i for i in loaded if i.source_path == "outlet/legacy.txt").encoding == "cp1251"
    done, again = read_and_count(files, reference, 10.0, "r1")
    assert [(r.row, r.content) for r in again] == [(r.row, r.content) for r in rejected]
    [(read, keys)] = done
    assert read == loaded
    assert keys.equals(key_items(members(loaded), reference)[0][0])
    assert "top.txt" not in set(keys.get_column("source_path"))
    with Workers(reference, PROJECT / "seeds", 2, True) as pool:
        (in_workers, frames), rejected_there = start_reading(files, pool, 10.0, "r1").result()
    assert in_workers == loaded
    assert [r.row for r in rejected_there] == [r.row for r in rejected]
    assert sum(frame.height for frame in frames) == keys.height


def test_a_file_is_read_again_only_while_its_bytes_are_unchanged(tmp_path: Path) -> None:
    files = _files(tmp_path)
    loaded, _ = read_files(files, 10.0, "r1")
    for file, item in zip(
        [f for f in files if f.rel_path in {i.source_path for i in loaded}], loaded, strict=True
    ):
        assert reread(OnDisk(file.rel_path, file.doc_id, file.location)) == item
    changed = files[1]
    Path(changed.location).write_bytes(b"another text\n")
    assert reread(OnDisk(changed.rel_path, changed.doc_id, changed.location)) is None
    Path(changed.location).unlink()
    assert reread(OnDisk(changed.rel_path, changed.doc_id, changed.location)) is None


def test_a_file_changed_since_landing_is_cleaned_from_the_raw_layer(
    tmp_path: Path, reference: Reference
) -> None:
    """The workers report the file they cannot read again; submit_clean_extract cleans it
    from the raw layer's text, so the staging frames equal those of the texts landed."""
    from flows.orchestration.tasks import submit_clean_extract

    files = _files(tmp_path / "src")
    loaded, _ = read_files(files, 10.0, "r1")
    settings = Settings(
        source=tmp_path / "src", warehouse=tmp_path / "wh" / "warehouse.duckdb", workers=1
    )
    with warehouse.session(settings.work_file, settings.ddl_file) as con:
        assert len(warehouse.append_raw(con, raw_frame(loaded, "r1", warehouse.now()))) == len(
            loaded
        )
    by_path = {f.rel_path: f for f in files}
    changed = loaded[2].source_path
    Path(by_path[changed].location).write_bytes(b"edited after landing\n")
    batch = [OnDisk(i.source_path, i.doc_id, by_path[i.source_path].location) for i in loaded]
    done, missing_rejected = clean_extract_read(batch, reference, {}, "r1")
    assert [missing for _, missing in done] == [[(changed, loaded[2].doc_id)]]
    with Workers(reference, PROJECT / "seeds", 1, False) as pool:
        frames, rejected = submit_clean_extract.fn(batch, pool, "r1", settings).result()
    expected, expected_rejected = clean_extract_frames(loaded, reference, {}, "r1")
    key = ["source_path"]
    documents = [chunk["staging.documents"] for chunk in frames]
    import polars as pl

    assert pl.concat(documents).sort(key).equals(expected[0]["staging.documents"].sort(key))
    assert sorted(r.row["source_path"] for r in rejected) == sorted(
        r.row["source_path"] for r in expected_rejected
    )
    assert len(missing_rejected) <= len(rejected)
