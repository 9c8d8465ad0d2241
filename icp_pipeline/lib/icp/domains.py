"""Web domains normalised like the dbt `normalize_domain` macro (`https://www.Acme.com/x` -> `acme.com`)."""

from __future__ import annotations

import pandas as pd

_DOMAIN = r"^[^\s.]+(\.[^\s.]+)+$"


def normalize_domains(values: pd.Series) -> pd.Series:
    """Lower case, no scheme, user info, `www.`/`www2.`, port, path, query or trailing dot; else null."""
    s = values.astype("string").str.strip().str.lower()
    s = s.str.replace(r"^([a-z][a-z0-9+.\-]*:)?//", "", regex=True)
    s = s.str.replace(r"^[^/@?#]*@", "", regex=True)
    s = s.str.replace(r"[/:?#\\].*$", "", regex=True)
    s = s.str.replace(r"^www[0-9]*\.|\.$", "", regex=True)
    ok = s.str.match(_DOMAIN).fillna(False).astype(bool)
    return pd.Series(s.where(ok).to_numpy(dtype=object, na_value=None), index=values.index, dtype=object)


def normalize_domain(value: str | None) -> str | None:
    """One value; see `normalize_domains`."""
    return normalize_domains(pd.Series([value], dtype=object)).iloc[0]
