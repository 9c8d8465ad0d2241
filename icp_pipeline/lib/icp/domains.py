"""Web domains normalised like the dbt `normalize_domain` macro (`https://www.Acme.com/x` -> `acme.com`)."""

from __future__ import annotations

import pandas as pd

_DOMAIN = r"^[^\s.]+(\.[^\s.]+)+$"


# Text that normalising leaves as it is: lower-case ASCII labels, no scheme, path, port or `www.`.
_PLAIN = r"[a-z0-9-]+(\.[a-z0-9-]+)+"
_WWW = r"www[0-9]*\."


def normalize_domains(values: pd.Series) -> pd.Series:
    """Lower case, no scheme, user info, `www.`/`www2.`, port, path, query or trailing dot; else null."""
    return pd.Series(
        normalized_text(values).to_numpy(dtype=object, na_value=None), index=values.index, dtype=object
    )


def normalized_text(values: pd.Series) -> pd.Series:
    """`normalize_domains` as a `string` Series (missing = NA), without a Python string per value
    when the values are normalised already (the usual case for a mart's domains)."""
    text = values.astype("string")
    plain = (text.str.fullmatch(_PLAIN) & ~text.str.match(_WWW)).fillna(False).to_numpy(bool)
    if plain.all():  # one pass instead of six
        return text
    rest = ~plain
    out = text.copy()
    out[rest] = _normalize(text[rest]).to_numpy(dtype=object, na_value=None)
    return out


def _normalize(values: pd.Series) -> pd.Series:
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
