"""Enrichment tables: firmographics (with extra columns), technographics and company events."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import (
    REFERENCE_DATE,
    add_days,
    blank,
    choice,
    days_before_reference,
    groups,
    stream,
)
from icp_pipeline.demo.vocab import (
    DRIVER_TECHNOLOGY,
    EVENT_TYPES,
    EVENT_WEIGHTS,
    INDUSTRIES,
    LEAK_TECHNOLOGY,
    NOISE_TECHNOLOGIES,
)

LEAK_TECH_CUSTOMER_RATE = 0.85
LEAK_TECH_PROSPECT_RATE = 0.005
HIRING_SURGE_CLEAR_DAYS = 400  # no background hiring surge this close before the as-of date


def enriched(companies: pd.DataFrame) -> pd.DataFrame:
    return companies[companies["has_enrichment"]].reset_index(drop=True)


def build_firmographics(seed: int, firms: pd.DataFrame) -> pd.DataFrame:
    """One row per domain in the vendor's clean taxonomy, plus two extra columns."""
    rng = stream(seed, "enrichment/firmographics")
    n = len(firms)
    keys = firms["industry"].to_numpy()
    label = np.array([INDUSTRIES[k][0] for k in keys], dtype=object)
    sub = np.empty(n, dtype=object)
    for key, (_, subs, _, _) in INDUSTRIES.items():
        mask = keys == key
        sub[mask] = choice(rng, subs, int(mask.sum()))

    def maybe(column: str, rate: float) -> np.ndarray:
        return blank(rng, firms[column].to_numpy(), rate)

    return pd.DataFrame(
        {
            "domain": firms["domain"].to_numpy(),
            "company_name": firms["base_name"].to_numpy(),
            "industry": blank(rng, label, 0.02),
            "sub_industry": blank(rng, sub, 0.1),
            "employee_count": pd.array(maybe("employee_count", 0.02), dtype="Int64"),
            "employee_growth_12m": maybe("employee_growth_12m", 0.15).astype(float),
            "annual_revenue": maybe("annual_revenue", 0.12).astype(float),
            "hq_country": maybe("country", 0.03),
            "founded_year": pd.array(maybe("founded_year", 0.08), dtype="Int64"),
            "ownership": maybe("ownership", 0.1),
            "funding_stage": maybe("funding_stage", 0.1),
            "office_count": pd.array(maybe("office_count", 0.15), dtype="Int64"),
            "cloud_spend_index": maybe("cloud_spend_index", 0.05).astype(float),
            "web_traffic_rank": pd.array(maybe("web_traffic_rank", 0.1), dtype="Int64"),
        }
    )


def build_technographics(seed: int, firms: pd.DataFrame) -> pd.DataFrame:
    """Detected technologies: random noise stack, planted Snowflake, and the post-win product tag."""
    rng = stream(seed, "enrichment/technographics")
    n = len(firms)
    as_of = firms["as_of"].to_numpy().astype("datetime64[D]")
    win = firms["win_date"].to_numpy().astype("datetime64[D]")
    cust = firms["is_customer"].to_numpy()
    rates = np.array([t[2] for t in NOISE_TECHNOLOGIES])
    rows, cols = np.nonzero(rng.random((n, len(rates))) < rates)
    noise = pd.DataFrame(
        {
            "owner": rows,
            "technology": np.array([t[0] for t in NOISE_TECHNOLOGIES], dtype=object)[cols],
            "category": np.array([t[1] for t in NOISE_TECHNOLOGIES], dtype=object)[cols],
            "first_seen": days_before_reference(rng.integers(30, 3000, len(rows))),
        }
    )
    snow = np.flatnonzero(firms["uses_snowflake"].to_numpy())
    snowflake = pd.DataFrame(
        {
            "owner": snow,
            "technology": DRIVER_TECHNOLOGY[0],
            "category": DRIVER_TECHNOLOGY[1],
            "first_seen": add_days(as_of[snow], -rng.integers(30, 1500, len(snow))),
        }
    )
    u = rng.random(n)
    leak_c = np.flatnonzero(cust & (u < LEAK_TECH_CUSTOMER_RATE))
    leak_p = np.flatnonzero(~cust & (u < LEAK_TECH_PROSPECT_RATE))
    leak_first = np.concatenate(
        [
            np.minimum(add_days(win[leak_c], rng.integers(10, 150, len(leak_c))), REFERENCE_DATE),
            days_before_reference(rng.integers(10, 300, len(leak_p))),
        ]
    )
    leak = pd.DataFrame(
        {
            "owner": np.concatenate([leak_c, leak_p]),
            "technology": LEAK_TECHNOLOGY[0],
            "category": LEAK_TECHNOLOGY[1],
            "first_seen": leak_first,
        }
    )
    tech = pd.concat([noise, snowflake, leak], ignore_index=True)
    m = len(tech)
    first = tech["first_seen"].to_numpy().astype("datetime64[D]")
    last = days_before_reference(rng.integers(0, 60, m))
    dropped = (rng.random(m) < 0.08) & (tech["technology"].to_numpy() != DRIVER_TECHNOLOGY[0])
    dropped &= (last - first).astype(int) > 200
    last[dropped] = add_days(first[dropped], rng.integers(60, 200, int(dropped.sum())))
    tech["last_seen"] = last
    tech["domain"] = firms["domain"].to_numpy()[tech["owner"].to_numpy()]
    tech["category"] = blank(rng, tech["category"].to_numpy(), 0.04)
    tech["first_seen"] = np.where(rng.random(m) < 0.03, np.datetime64("NaT"), first)
    return (
        tech.sort_values(["owner", "technology"], kind="stable").drop(columns="owner").reset_index(drop=True)
    )


def build_events(seed: int, firms: pd.DataFrame) -> pd.DataFrame:
    """Background company events plus the planted hiring surge in the year before the as-of date."""
    rng = stream(seed, "enrichment/events")
    n = len(firms)
    as_of = firms["as_of"].to_numpy().astype("datetime64[D]")
    owner, _ = groups(rng.poisson(1.5, n))
    kind = choice(rng, EVENT_TYPES, len(owner), EVENT_WEIGHTS)
    date = days_before_reference(rng.integers(0, 2900, len(owner)))
    gap = (as_of[owner] - date).astype(int)
    clash = (kind == "hiring_surge") & (gap >= 0) & (gap < HIRING_SURGE_CLEAR_DAYS)
    surge = np.flatnonzero(firms["hiring_surge"].to_numpy())
    planted_date = add_days(as_of[surge], -rng.integers(15, 330, len(surge)))
    events = pd.DataFrame(
        {
            "owner": np.concatenate([owner[~clash], surge]),
            "event_type": np.concatenate([kind[~clash], np.full(len(surge), "hiring_surge", dtype=object)]),
            "event_date": np.concatenate([date[~clash], planted_date]),
        }
    )
    events["domain"] = firms["domain"].to_numpy()[events["owner"].to_numpy()]
    events = events.sort_values(["owner", "event_date"], kind="stable").drop(columns="owner")
    return events.drop_duplicates().reset_index(drop=True)
