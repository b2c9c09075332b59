"""Models: the dbt-like SQL runner over dbt_like_sql/."""
