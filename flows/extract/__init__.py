"""Extract: pure functions from one article's text to its cleaned body, people, quotes,
events and topics. Nothing here connects to DuckDB or imports Prefect."""
