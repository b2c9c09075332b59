"""Load: extraction results to polars frames, and the warehouse, the only code that
connects to DuckDB."""
