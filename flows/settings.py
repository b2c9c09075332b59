"""Settings in one place: defaults, then `SUMMITRY_*` environment variables, then CLI options."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The package's folder, and the project root above it: the only place either is computed.
PACKAGE_ROOT = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_ROOT.parent


def _cores() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _from_root(value: Path) -> Path:
    """Relative paths are relative to the project root, not the working directory."""
    return value if value.is_absolute() else PROJECT_ROOT / value


class Settings(BaseSettings):
    """Where the pipeline reads from and writes to; every path may be overridden."""

    model_config = SettingsConfigDict(env_prefix="SUMMITRY_", extra="ignore")

    source: Path = Path("seeds/articles")
    warehouse: Path = Path("warehouse/warehouse.duckdb")
    cron: str = "0 * * * *"
    # `summitry serve` every this many seconds instead of on the cron (None: the cron).
    interval_s: float | None = Field(default=None, gt=0)
    seeds_dir: Path = Path("seeds")
    sql_dir: Path = Path("dbt_like_sql")
    expectations_dir: Path = Path("expectations")
    ddl_file: Path = Path("warehouse/ddl.sql")
    # Files above this size are quarantined (bytes kept) instead of cleaned: one pasted
    # database dump must not stall a run. Raise it for genuinely long articles.
    max_file_mb: float = 10.0
    # Storage format of the published file; v1.0.0 opens in the DuckDB 1.x drivers BI tools bundle.
    storage_version: str = "v1.0.0"
    # Parquet copies of every mart; default: <warehouse stem>_parquet/ beside the warehouse.
    parquet_dir: Path | None = None
    # Seconds a run waits for another run to finish before giving up.
    lock_wait_s: float = 0.0
    # Worker processes for cleaning and extraction (default: every core), used when a run
    # has at least parallel_min_docs documents to process.
    workers: int = Field(default_factory=lambda: _cores())
    parallel_min_docs: int = 200
    # Where cleaning and extraction run: local (the process pool above), dask://HOST:PORT
    # (an existing Dask scheduler) or dask-local (a Dask LocalCluster for the run).
    executor: str = "local"
    # DuckDB's memory for one connection to the work file (it spills to disk beyond this);
    # DuckDB's own default is 80% of the machine's RAM. One session stays open while the
    # documents land, beside the workers: at 100k, 1GB took the run to 2.3 GB peak RSS and
    # 512MB to 1.9 GB, at the same speed (`summitry benchmark`).
    duckdb_memory_limit: str = "512MB"
    # Statement linking ignores a content word held by more current quotes than this (a hub:
    # no signal, and n² pairs); changing it relinks every statement.
    statement_hub_postings: int = 1000
    # Port of the local Prefect server `summitry serve` starts when PREFECT_API_URL is unset.
    prefect_port: int = 4200

    @field_validator(
        "source",
        "warehouse",
        "seeds_dir",
        "sql_dir",
        "expectations_dir",
        "ddl_file",
        "parquet_dir",
        mode="after",
    )
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else _from_root(value)

    @property
    def work_file(self) -> Path:
        """The pipeline's private DuckDB file (every layer) beside the published one."""
        from flows.load.warehouse import work_path

        return work_path(self.warehouse)

    @property
    def data_docs_folder(self) -> Path:
        """A copy of the GX Data Docs site per warehouse, beside it."""
        return self.warehouse.with_name(f"{self.warehouse.stem}_data_docs")

    @property
    def parquet_folder(self) -> Path:
        """Where the Parquet copies of the marts are published."""
        return self.parquet_dir or self.warehouse.with_name(f"{self.warehouse.stem}_parquet")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with non-None keyword overrides (CLI options) winning."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
