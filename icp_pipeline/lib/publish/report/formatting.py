"""Cells, tables and numbers of the report as a person reads them: labels instead of column names,
Yes/No instead of True/False, an empty cell instead of `<NA>`, money with its currency code."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from icp_pipeline.lib.model.labels import (
    Labels,
    format_money,
    format_number,
    format_value,
    humanize,
    read_labels,
)

__all__ = [
    "Labels",
    "cell",
    "esc",
    "format_money",
    "format_number",
    "format_value",
    "humanize",
    "in_words",
    "pct",
    "read_labels",
    "table",
]


_ATTRIBUTE = re.compile(r"\b[a-z][a-z0-9]*__[a-z0-9_]+\b")


def in_words(text: object, labels: Labels) -> object:
    """Free text with every attribute column name (`firmo__employee_count`) replaced by its label."""
    if not isinstance(text, str):
        return text
    return _ATTRIBUTE.sub(lambda m: labels.label(m.group(0)), text)


def in_words_column(column: pd.Series, labels: Labels) -> pd.Series:
    """`in_words` of every value of a text column, same index and dtype. Only values holding `__`
    (every attribute column name does) go through the regular expression: a 1 M-row table of names
    and codes costs one vectorised substring test, not a Python call per row."""
    candidates = column.str.contains("__", regex=False, na=False).to_numpy(dtype=bool)
    if not candidates.any():
        return column
    out = column.copy()
    out[candidates] = column[candidates].map(lambda t: in_words(t, labels))
    return out


def esc(value: object) -> str:
    """Escaped text of a value; missing values (None, NaN, pd.NA, NaT) as an empty string."""
    if value is None or (not isinstance(value, str | bytes | list | tuple | dict) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def pct(share: float, digits: int = 0) -> str:
    """0.812 -> '81 %'; missing -> ''."""
    if share is None or pd.isna(share) or not np.isfinite(share):
        return ""
    return f"{share * 100:.{digits}f} %"


def cell(value: object) -> str:
    """A value as its table cell's text: booleans as Yes/No, numbers rounded to meaningful digits,
    missing values empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return format_number(float(value))
    return str(value)


def table(
    frame: pd.DataFrame,
    headers: dict[str, str] | None = None,
    raw_html: tuple[str, ...] = (),
    css_class: str = "",
) -> str:
    """An HTML table of `frame` with `headers` ({column: heading}; the column name with its first
    letter capitalised and underscores as spaces otherwise). Columns in `raw_html` are inserted
    unescaped (the caller built them)."""
    headers = headers or {}
    if frame.empty:
        return "<p class='muted'>Nothing to show.</p>"
    names = [headers.get(c, c.replace("_", " ").capitalize() if c.islower() else c) for c in frame.columns]
    head = "".join(f"<th>{esc(n)}</th>" for n in names)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text = value if column in raw_html else esc(cell(value))
            cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    attr = f" class='{css_class}'" if css_class else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
