"""Per-batch cost of cleaning and extraction on Dask against the local process pool.

    python -m devtools.dask_overhead --sizes 2000 10000 --workers 2 --workdir benchmark/dask

Each size's synthetic corpus is read and decoded once, then cut into the flow's batches of
1000; every executor runs the flow's own stage functions over the same batches (page-template
lines, cleaning, extraction to staging frames, concatenation in the parent) and the wall time
of each batch is kept. Executors: `serial` (in-process: the CPU cost), `local` (the process
pool), `dask` (a LocalCluster of worker processes, the same code path as `--executor
dask-local` or `dask://`). `objects` variants return per-article Python objects and build the
frames in the parent, as before the frames moved to the workers. Also measured: the pickled
size of one batch's output as objects and as staging frames.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flows.extract.article import Reference
from flows.load.transform import Loaded, concat_frames, staging_frames
from flows.orchestration.flow import BATCH_SIZE
from flows.orchestration.parallel import Workers
from flows.orchestration.stages import clean_items, extract_frames, extract_items, outlet_templates
from flows.settings import load_settings

RUN_ID = "overhead"
FIXED_REPEATS = 15
Pool = Any  # Workers, or anything with its `map`
Work = Callable[[Pool, list[Loaded]], int]


def load_batches(source: Path) -> list[list[Loaded]]:
    """Every article under `source`, decoded, in the flow's batches."""
    from flows.ingest.reading import discover
    from flows.orchestration.intake import read_files

    files, _ = discover(source, {})
    settings = load_settings(source=source)
    loaded, _ = read_files(files, settings.max_file_mb, RUN_ID)
    return [loaded[start : start + BATCH_SIZE] for start in range(0, len(loaded), BATCH_SIZE)]


def batch_frames(pool: Pool, batch: list[Loaded]) -> int:
    """The flow's per-batch work with frames built on the workers; returns document rows."""
    cleaned, _ = pool.map(clean_items, batch, outlet_templates(batch, pool), RUN_ID)
    frames, _ = pool.map(extract_frames, cleaned, RUN_ID)
    return concat_frames(frames, RUN_ID)["staging.documents"].height


def batch_objects(pool: Pool, batch: list[Loaded]) -> int:
    """The same with per-article objects sent back and the frames built in the parent."""
    cleaned, _ = pool.map(clean_items, batch, outlet_templates(batch, pool), RUN_ID)
    extracted, _ = pool.map(extract_items, cleaned, RUN_ID)
    return staging_frames(list(extracted), RUN_ID)["staging.documents"].height


def time_batches(
    runs: dict[str, tuple[Pool, Work]],
    batches: Sequence[list[Loaded]],
) -> dict[str, list[float]]:
    """Seconds per batch and executor; the executors take turns on each batch, so a busy
    machine (other users' jobs) weighs on all of them alike."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for batch in batches:
        for name, (pool, work) in runs.items():
            started = time.perf_counter()
            assert work(pool, batch) == len(batch)  # synthetic articles never fail
            seconds[name].append(time.perf_counter() - started)
    return seconds


def wire_sizes(reference: Reference, batch: list[Loaded]) -> dict[str, float]:
    """Pickled bytes of one batch's extraction output, the seconds to pickle it (on the
    workers) and to unpickle it and build the staging frames from it (in the parent, which
    is serial: at many workers it is what bounds the run)."""
    cleaned, _ = clean_items(batch, reference, {}, RUN_ID)
    objects, _ = extract_items(cleaned, reference, RUN_ID)
    result: dict[str, float] = {"articles": len(batch)}
    started = time.perf_counter()
    frames = staging_frames(objects, RUN_ID)
    built = time.perf_counter() - started
    for name, value, parent_extra in (("objects", objects, built), ("frames", frames, 0.0)):
        started = time.perf_counter()
        data = pickle.dumps(value, protocol=5)
        pickled = time.perf_counter()
        pickle.loads(data)
        result[f"{name}_mb"] = len(data) / 2**20
        result[f"{name}_worker_s"] = pickled - started
        result[f"{name}_parent_s"] = time.perf_counter() - pickled + parent_extra
    return result


def measure(size: int, workers: int, workdir: Path, serial: bool) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from devtools.corpus import generate
    from flows.orchestration.dask_executor import DaskPool
    from flows.orchestration.runs import inputs_fingerprint

    source = workdir / f"corpus_{size}"
    if not source.exists():
        generate(source, size, seed=7)
    settings = load_settings(source=source)
    reference = Reference.from_seeds(settings.seeds_dir)
    batches = load_batches(source)
    with (
        Workers(reference, settings.seeds_dir, 1, False) as alone,
        Workers(reference, settings.seeds_dir, workers, True) as local,
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster) as client,
    ):
        dask = DaskPool(client, inputs_fingerprint(settings), "dask")
        pools: dict[str, tuple[Pool, Work]] = {
            **({"serial": (alone, batch_frames)} if serial else {}),
            "local": (local, batch_frames),
            "local objects": (local, batch_objects),
            "dask": (dask, batch_frames),
            "dask objects": (dask, batch_objects),
        }
        # Start the processes and load the seeds on the workers outside the clock.
        time_batches({"local": pools["local"], "dask": pools["dask"]}, batches[:1])
        runs = time_batches(pools, batches)
        # The fixed cost of a batch: the same round trips for a batch of 10 articles.
        small = [batches[0][:10]] * FIXED_REPEATS
        del pools["local objects"], pools["dask objects"]
        fixed = time_batches(pools, small)
    return {
        "size": size,
        "workers": workers,
        "batches": len(batches),
        "seconds": {name: sum(values) for name, values in runs.items()},
        "per_batch": {name: statistics.mean(values) for name, values in runs.items()},
        "fixed_10": {name: statistics.median(values) for name, values in fixed.items()},
        "wire": wire_sizes(reference, batches[0]),
    }


def markdown(results: list[dict[str, Any]]) -> str:
    names = list(results[0]["seconds"])
    lines = [
        "| articles | " + " | ".join(f"{name} s (per batch)" for name in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for result in results:
        cells = [
            f"{result['seconds'][name]:.1f} ({result['per_batch'][name]:.2f})"
            if name in result["seconds"]
            else "-"
            for name in names
        ]
        lines.append(f"| {result['size']} | " + " | ".join(cells) + " |")
    lines.append("\nMedian seconds of a 10-article batch (the fixed cost of a batch):")
    for result in results:
        lines.append(
            f"- {result['size']}: "
            + ", ".join(f"{name} {value:.3f}" for name, value in result["fixed_10"].items())
        )
    wire = results[0]["wire"]
    lines.append(
        f"\nOne batch of {wire['articles']:.0f} extracted articles: per-article objects "
        f"{wire['objects_mb']:.1f} MB pickled, {wire['objects_worker_s']:.2f} s to pickle, "
        f"{wire['objects_parent_s']:.2f} s to unpickle and build the frames in the parent; "
        f"staging frames {wire['frames_mb']:.1f} MB, {wire['frames_worker_s']:.2f} s and "
        f"{wire['frames_parent_s']:.2f} s."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10_000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("benchmark/dask"))
    args = parser.parse_args()
    logging.getLogger("distributed").setLevel(logging.WARNING)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [
        measure(size, args.workers, args.workdir, serial=index == 0)
        for index, size in enumerate(args.sizes)
    ]
    (args.workdir / "dask_overhead.json").write_text(json.dumps(results, indent=2))
    print(markdown(results))


if __name__ == "__main__":
    main()
