"""Settings in one place: defaults, then `SUMMITRY_*` environment variables, then CLI options."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _from_root(value: Path) -> Path:
    """Relative paths are relative to the project root, not the working directory."""
    return value if value.is_absolute() else PROJECT_ROOT / value


class Settings(BaseSettings):
    """Where the pipeline reads from and writes to; every path may be overridden."""

    model_config = SettingsConfigDict(env_prefix="SUMMITRY_", extra="ignore")

    source: Path = Path("seeds/articles")
    warehouse: Path = Path("warehouse/warehouse.duckdb")
    cron: str = "0 * * * *"
    seeds_dir: Path = Path("seeds")
    sql_dir: Path = Path("dbt_like_sql")
    expectations_dir: Path = Path("expectations")
    ddl_file: Path = Path("warehouse/ddl.sql")

    @field_validator(
        "source", "warehouse", "seeds_dir", "sql_dir", "expectations_dir", "ddl_file", mode="after"
    )
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return _from_root(value)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with non-None keyword overrides (CLI options) winning."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
