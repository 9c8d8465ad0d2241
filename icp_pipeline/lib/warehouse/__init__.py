"""The DuckDB warehouse: connection (`connection`), the one-refresh lock (`lock`), SQL quoting (`sql`)
and reading query results into frames (`frames`)."""
