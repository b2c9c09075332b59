#!/usr/bin/env bash
# The Superset recipe: its own environment in .superset/, the warehouse registered read-only,
# a dataset per mart and a ready-made dashboard. Then `superset run` serves it (make superset).
#   WAREHOUSE=path/to/warehouse.duckdb  (default warehouse/warehouse.duckdb)
#   SUPERSET_HOME=folder                (default .superset/)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
export SUPERSET_HOME=${SUPERSET_HOME:-$REPO/.superset}
export SUPERSET_CONFIG_PATH=$REPO/bi/superset/superset_config.py
export FLASK_APP=superset
export SUPERSET_DIR=$SUPERSET_HOME
WAREHOUSE=${WAREHOUSE:-$REPO/warehouse/warehouse.duckdb}
[ -f "$WAREHOUSE" ] || { echo "no warehouse at $WAREHOUSE: run \`make run\` first" >&2; exit 2; }

bash bi/superset/install.sh
SUPERSET=$SUPERSET_HOME/venv/bin/superset
PASSWORD_FILE=$SUPERSET_HOME/admin_password
if [ ! -f "$PASSWORD_FILE" ]; then
    "$SUPERSET_HOME/venv/bin/python" -c "import secrets; print(secrets.token_urlsafe(12))" > "$PASSWORD_FILE"
    chmod 600 "$PASSWORD_FILE"
fi
"$SUPERSET" db upgrade >/dev/null 2>&1 || "$SUPERSET" db upgrade
if ! "$SUPERSET" fab list-users 2>/dev/null | grep -q "username:admin"; then
    "$SUPERSET" fab create-admin --username admin --firstname Summitry --lastname Admin \
        --email admin@localhost --password "$(cat "$PASSWORD_FILE")"
fi
"$SUPERSET" init >/dev/null
"$SUPERSET_HOME/venv/bin/python" bi/superset/provision.py --warehouse "$WAREHOUSE"
echo "log in as admin with the password in $PASSWORD_FILE"
