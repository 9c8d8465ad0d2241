"""Quoting for the few SQL strings built from names and values."""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier, safe for any column name."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: object) -> str:
    """A SQL literal for a bool, number or string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
