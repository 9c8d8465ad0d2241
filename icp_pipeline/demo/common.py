"""Shared helpers: the reference date, seeded random streams, vectorised date maths and ids."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from icp_pipeline.demo.vocab import FX_RATES

# Every date is relative to this day, so the output never depends on today.
REFERENCE_DATE = np.datetime64("2026-06-30", "D")
REPORTING_CURRENCY = "USD"


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream for one generation step."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def days_before_reference(days: np.ndarray) -> np.ndarray:
    """Dates `days` days before the reference date."""
    return REFERENCE_DATE - np.asarray(days).astype("timedelta64[D]")


def add_days(dates: np.ndarray, days: np.ndarray) -> np.ndarray:
    return np.asarray(dates, dtype="datetime64[D]") + np.asarray(days).astype("timedelta64[D]")


def uniform_dates(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """One uniform date per row between `start` and `end` (inclusive; `end` wins where start > end)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    span = np.maximum((end - start).astype(int), 0)
    return np.minimum(start + np.floor(rng.random(span.shape) * (span + 1)).astype("timedelta64[D]"), end)


def office_hours(rng: np.random.Generator, dates: np.ndarray) -> np.ndarray:
    """Timestamps on the given dates between 07:00 and 19:00."""
    seconds = rng.integers(7 * 3600, 19 * 3600, size=len(dates))
    return np.asarray(dates, dtype="datetime64[D]").astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def groups(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Explode per-owner counts: (owner index, position within owner) for every child row."""
    counts = np.asarray(counts, dtype=int)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - np.repeat(starts, counts)


def make_ids(prefix: str, n: int, width: int = 10, start: int = 1) -> np.ndarray:
    """`prefix` followed by a zero-padded running number."""
    numbers = pd.Series(np.arange(start, start + n)).astype(str).str.zfill(width)
    return (prefix + numbers).to_numpy(dtype=object)


def choice(
    rng: np.random.Generator, options: Sequence, n: int, p: Sequence[float] | None = None
) -> np.ndarray:
    """`n` draws from `options` (as an object array, so strings keep their Python type)."""
    values = np.empty(len(options), dtype=object)
    values[:] = list(options)
    weights = None if p is None else np.asarray(p, dtype=float) / np.sum(p)
    return values[rng.choice(len(options), size=n, p=weights)]


def blank(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """A copy of `values` with about `rate` of the entries set to null."""
    out = np.asarray(values, dtype=object).copy()
    out[rng.random(len(out)) < rate] = None
    return out


def fx_rate(currencies: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Rate to the reporting currency valid on each date (1.0 for the reporting currency)."""
    currencies = np.asarray(currencies, dtype=object)
    years = np.asarray(dates, dtype="datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    rates = np.ones(len(currencies))
    for currency, by_year in FX_RATES.items():
        mask = currencies == currency
        if mask.any():
            first, last = min(by_year), max(by_year)
            table = np.array([by_year[y] for y in range(first, last + 1)])
            rates[mask] = table[np.clip(years[mask], first, last) - first]
    return rates


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
