"""Register the warehouse in Superset: a read-only database, a dataset per mart, a dashboard.

Run by bi/superset/setup.sh with Superset's own Python (``.superset/venv``); idempotent: a
second run updates what the first created. Not part of the pipeline or its tests.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

DATABASE_NAME = "summitry warehouse"
DASHBOARD_SLUG = "summitry"
# Datasets joining engagements and their topics to the participants (the bridge table): the
# dashboard's Participant filter applies to every chart built on them.
VIRTUAL = {
    "engagements by participant": """
select m.meeting_id, m.meeting_date, m.kind, m.country, m.location, p.person
from marts.meetings m join marts.meeting_participants p using (meeting_id)""",
    "topics by participant": """
select t.meeting_id, t.meeting_date, t.topic, t.label, p.person
from marts.topics t join marts.meeting_participants p using (meeting_id)""",
}
ENGAGEMENTS = {"metric_name": "engagements", "expression": "COUNT(DISTINCT meeting_id)"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args()

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        provision(args.warehouse.resolve())


def provision(warehouse: Path) -> None:
    from superset import db
    from superset.models.core import Database

    database = db.session.query(Database).filter_by(database_name=DATABASE_NAME).one_or_none()
    if database is None:
        database = Database(database_name=DATABASE_NAME)
        db.session.add(database)
    # duckdb+summitry:// is read-only by default; read_only in connect_args says it twice.
    database.sqlalchemy_uri = f"duckdb+summitry:///{warehouse}"
    database.expose_in_sqllab = True
    database.allow_dml = False
    database.allow_run_async = False
    database.extra = json.dumps({"engine_params": {"connect_args": {"read_only": True}}})
    db.session.commit()

    datasets = {name: _dataset(database, "marts", name) for name in _marts(database)}
    for name, sql in VIRTUAL.items():
        datasets[name] = _dataset(database, None, name, sql.strip(), [ENGAGEMENTS])
    db.session.commit()
    _dashboard(datasets)
    db.session.commit()
    print(f"database {DATABASE_NAME!r} -> {database.sqlalchemy_uri}")
    print(f"datasets: {', '.join(sorted(datasets))}")
    print(f"dashboard: /superset/dashboard/{DASHBOARD_SLUG}/")


def _marts(database: Any) -> list[str]:
    from sqlalchemy import inspect

    with database.get_sqla_engine() as engine:
        return sorted(inspect(engine).get_table_names(schema="marts"))


def _dataset(
    database: Any,
    schema: str | None,
    name: str,
    sql: str | None = None,
    metrics: list[dict[str, str]] | None = None,
) -> Any:
    from superset import db
    from superset.connectors.sqla.models import SqlaTable, SqlMetric

    table = (
        db.session.query(SqlaTable)
        .filter_by(table_name=name, schema=schema, database_id=database.id)
        .one_or_none()
    )
    if table is None:
        table = SqlaTable(table_name=name, schema=schema, database=database)
        db.session.add(table)
    table.sql = sql
    table.database = database
    table.filter_select_enabled = True
    table.fetch_metadata()
    for metric in [{"metric_name": "count", "expression": "COUNT(*)"}, *(metrics or [])]:
        if not any(known.metric_name == metric["metric_name"] for known in table.metrics):
            table.metrics.append(SqlMetric(**metric))
    dates = [column for column in table.columns if column.is_dttm]
    if dates:
        table.main_dttm_col = dates[0].column_name
    db.session.flush()
    return table


def _chart(name: str, table: Any, viz: str, **params: Any) -> Any:
    from superset import db
    from superset.models.slice import Slice
    from superset.utils.core import DatasourceType

    fields = {
        "datasource_id": table.id,
        "datasource_type": DatasourceType.TABLE,
        "viz_type": viz,
        "params": json.dumps(
            {"datasource": f"{table.id}__table", "viz_type": viz, "adhoc_filters": [], **params}
        ),
    }
    chart = db.session.query(Slice).filter_by(slice_name=name).one_or_none()
    if chart is None:
        chart = Slice(slice_name=name, **fields)
        db.session.add(chart)
    else:
        for field, value in fields.items():
            setattr(chart, field, value)
    db.session.flush()
    return chart


def _dashboard(datasets: dict[str, Any]) -> None:
    from superset import db
    from superset.models.dashboard import Dashboard

    by_person = datasets["engagements by participant"]
    charts = [
        [
            _chart("Engagements", by_person, "big_number_total", metric="engagements"),
            _chart(
                "Engagements per month",
                by_person,
                "echarts_timeseries_bar",
                x_axis="meeting_date",
                time_grain_sqla="P1M",
                metrics=["engagements"],
                groupby=["kind"],
                stack="Stack",
                show_legend=True,
                row_limit=10_000,
            ),
        ],
        [
            _chart(
                "Most frequent participants",
                by_person,
                "table",
                query_mode="aggregate",
                groupby=["person"],
                metrics=["engagements"],
                timeseries_limit_metric="engagements",
                order_desc=True,
                row_limit=15,
            ),
            _chart(
                "Topics",
                datasets["topics by participant"],
                "pie",
                groupby=["label"],
                metric="engagements",
                row_limit=12,
                donut=True,
                show_labels=True,
                label_type="key",
            ),
        ],
    ]
    dashboard = db.session.query(Dashboard).filter_by(slug=DASHBOARD_SLUG).one_or_none()
    if dashboard is None:
        dashboard = Dashboard(slug=DASHBOARD_SLUG)
        db.session.add(dashboard)
    dashboard.dashboard_title = "Who met whom"
    dashboard.published = True
    dashboard.slices = [chart for row in charts for chart in row]
    dashboard.position_json = json.dumps(_positions(charts))
    dashboard.json_metadata = json.dumps(
        {
            "native_filter_configuration": [
                {
                    "id": "NATIVE_FILTER-person",
                    "name": "Participant",
                    "filterType": "filter_select",
                    "targets": [{"datasetId": by_person.id, "column": {"name": "person"}}],
                    "controlValues": {"multiSelect": True, "searchAllOptions": True},
                    "defaultDataMask": {"filterState": {}, "extraFormData": {}},
                    "cascadeParentIds": [],
                    "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                    "type": "NATIVE_FILTER",
                    "description": "engagements this person took part in",
                }
            ],
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
        }
    )


def _positions(rows: list[list[Any]]) -> dict[str, Any]:
    """Superset's dashboard layout: one ROW per list, charts sharing its 12 columns."""
    layout: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
    }
    widths = [[4, 8], [6, 6]]
    for r, row in enumerate(rows):
        row_id = f"ROW-{r}"
        layout["GRID_ID"]["children"].append(row_id)
        layout[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart, width in zip(row, widths[r], strict=True):
            chart_id = f"CHART-{chart.id}"
            layout[row_id]["children"].append(chart_id)
            layout[chart_id] = {
                "type": "CHART",
                "id": chart_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": chart.id,
                    "sliceName": chart.slice_name,
                    "width": width,
                    "height": 50,
                },
            }
    return layout


if __name__ == "__main__":
    main()
