"""Superset configuration for the summitry recipe (bi/superset/setup.sh sets SUPERSET_CONFIG_PATH).

Everything Superset keeps lives in SUPERSET_HOME (default .superset/ in the repository).
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("SUPERSET_HOME", REPO / ".superset")).resolve()
HOME.mkdir(parents=True, exist_ok=True)

# The warehouse's reading dialect (duckdb+summitry://: read-only, keys and list types
# reflected). flows/bi imports nothing else from the project, so Superset's environment
# needs only duckdb-engine.
sys.path.insert(0, str(REPO))
from flows.bi.dialect import register  # noqa: E402

register()

_key = HOME / "secret_key"
if not _key.exists():
    _key.write_text(secrets.token_urlsafe(42), encoding="utf-8")
    _key.chmod(0o600)
SECRET_KEY = _key.read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{HOME / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(HOME)
# A local, single-user recipe: plain HTTP on localhost, no rate limits, no example data.
TALISMAN_ENABLED = False
RATELIMIT_ENABLED = False
AUTH_RATE_LIMITED = False
CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
# No chart-data cache: DuckDB answers in milliseconds, and every publish must show at once.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
FEATURE_FLAGS = {"DASHBOARD_NATIVE_FILTERS": True}
ROW_LIMIT = 50_000
