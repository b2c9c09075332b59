#!/usr/bin/env bash
# Superset's own environment in $SUPERSET_DIR/venv (default .superset/venv), never the project's
# .venv: Superset pins SQLAlchemy 1.4 and Flask versions the pipeline does not use.
set -euo pipefail
cd "$(dirname "$0")/../.."
UV=${UV:-.venv/bin/uv}
HOME_DIR=${SUPERSET_DIR:-.superset}
mkdir -p "$HOME_DIR"
if [ ! -x "$HOME_DIR/venv/bin/superset" ]; then
    "$UV" venv --quiet --python 3.11 "$HOME_DIR/venv"
    VIRTUAL_ENV="$HOME_DIR/venv" "$UV" pip install --quiet -r bi/superset/requirements.txt
fi
"$HOME_DIR/venv/bin/python" -c "import duckdb, sqlalchemy; print('superset env: duckdb', duckdb.__version__, 'sqlalchemy', sqlalchemy.__version__)"
