"""The company universe: names, canonical domains and true firmographics of every company."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import REFERENCE_DATE, choice, stream
from icp_pipeline.demo.vocab import (
    COUNTRIES,
    FUNDING_STAGES,
    INDUSTRIES,
    NAME_MIDDLES,
    NAME_NOUNS,
    NAME_PREFIXES,
    OWNERSHIP,
    OWNERSHIP_WEIGHTS,
)

ROLE_CRM, ROLE_ERP_ONLY, ROLE_PROSPECT = "crm", "erp_only", "prospect"
SNOWFLAKE_RATE = 0.22
HIRING_SURGE_RATE = 0.25
SUBSIDIARY_SHARE = 0.05
ERP_ONLY_SHARE = 0.01


def _names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique company names and their domain slugs ("Bluewave Analytics", "bluewaveanalytics")."""
    sizes = (len(NAME_PREFIXES), len(NAME_MIDDLES), len(NAME_NOUNS))
    capacity = int(np.prod(sizes))
    want = int(n * 1.03) + 10
    idx = rng.choice(capacity, size=min(want, capacity), replace=False)
    if want > capacity:  # very large universes: reuse combinations with a running number
        # Each further block of `capacity` names is a permutation, so a combination repeats once per
        # running number and no name is dropped as a duplicate (random reuse fell short above ~0.5 M).
        blocks = [rng.permutation(capacity) for _ in range(-(-(want - capacity) // capacity))]
        idx = np.concatenate([idx, *blocks])[:want]
    i, rest = np.divmod(idx, sizes[1] * sizes[2])
    j, k = np.divmod(rest, sizes[2])
    first = pd.Series(np.array(NAME_PREFIXES, dtype=object)[i] + np.array(NAME_MIDDLES, dtype=object)[j])
    noun = pd.Series(np.array(NAME_NOUNS, dtype=object)[k])
    name = first + " " + noun
    number = pd.Series(np.arange(len(idx)) // capacity).astype(str)
    repeated = np.arange(len(idx)) >= capacity
    name = name.where(~repeated, name + " " + number)
    slug = (first + np.where(rng.random(len(idx)) < 0.1, "-", "") + noun).str.lower()
    slug = slug.where(~repeated, slug + number)
    keep = ~(slug.duplicated() | name.str.lower().duplicated())
    return name[keep].to_numpy(object)[:n], slug[keep].to_numpy(object)[:n]


def _firmographics(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """True firmographic attributes (what a perfect enrichment vendor would report)."""
    codes = list(COUNTRIES)
    country = choice(rng, codes, n, [COUNTRIES[c][0] for c in codes])
    keys = list(INDUSTRIES)
    industry = choice(rng, keys, n, [INDUSTRIES[k][2] for k in keys])
    employees = np.clip(np.round(np.exp(rng.normal(np.log(150), 1.3, n))), 2, 250_000).astype(int)
    ownership = choice(rng, OWNERSHIP, n, OWNERSHIP_WEIGHTS)
    large = employees > 3000
    ownership[large & (rng.random(n) < 0.5)] = "public"
    funding = np.full(n, None, dtype=object)
    vc = ownership == "vc_backed"
    funding[vc] = choice(rng, FUNDING_STAGES, int(vc.sum()), (0.2, 0.3, 0.25, 0.15, 0.1))
    funding[ownership == "public"] = "ipo"
    funding[(ownership == "private") & (rng.random(n) < 0.4)] = "bootstrapped"
    age = np.clip(np.round(np.exp(rng.normal(np.log(14), 0.7, n)) + np.log1p(employees)), 1, 120)
    return pd.DataFrame(
        {
            "country": country,
            "industry": industry,
            "employee_count": employees,
            "employee_growth_12m": np.round(np.clip(rng.normal(0.08, 0.15, n), -0.5, 1.5), 3),
            "annual_revenue": np.round(employees * np.exp(rng.normal(np.log(180_000), 0.5, n)), -3),
            "founded_year": (REFERENCE_DATE.astype("datetime64[Y]").astype(int) + 1970 - age).astype(int),
            "ownership": ownership,
            "funding_stage": funding,
            "office_count": (1 + rng.poisson(employees / 400)).clip(1, 300),
            "cloud_spend_index": np.round(rng.beta(2.2, 2.2, n) * 100, 1),
            "web_traffic_rank": np.round(np.exp(rng.normal(np.log(200_000), 1.5, n))).astype(int),
            "uses_snowflake": rng.random(n) < SNOWFLAKE_RATE,
            "hiring_surge": rng.random(n) < HIRING_SURGE_RATE,
        }
    )


def _domains(rng: np.random.Generator, slug: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Canonical lower-case bare domains: mostly .com, some .io/.co or the country's TLD."""
    tld = choice(rng, (".com", ".io", ".co", "cc"), len(slug), (0.72, 0.12, 0.06, 0.10))
    cc_tld = np.array([COUNTRIES[c][4] for c in country], dtype=object)
    tld = np.where((tld == "cc") & (country != "US"), cc_tld, np.where(tld == "cc", ".com", tld))
    return slug + tld


def _add_subsidiaries(rng: np.random.Generator, df: pd.DataFrame, slug: np.ndarray) -> None:
    """Turn a few CRM companies into foreign subsidiaries of other CRM companies (in place)."""
    crm = np.flatnonzero(df["role"].to_numpy() == ROLE_CRM)
    n_sub = int(round(len(crm) * SUBSIDIARY_SHARE))
    if n_sub == 0:
        return
    picked = rng.choice(crm, size=2 * n_sub, replace=False)
    child, parent = picked[:n_sub], picked[n_sub:]
    codes = np.array(list(COUNTRIES), dtype=object)
    parent_country = df["country"].to_numpy()[parent]
    shift = rng.integers(1, len(codes), n_sub)
    position = {c: i for i, c in enumerate(codes)}
    child_country = codes[(np.array([position[c] for c in parent_country]) + shift) % len(codes)]
    names = np.array([COUNTRIES[c][1][0] for c in child_country], dtype=object)
    tlds = np.array([COUNTRIES[c][4] for c in child_country], dtype=object)
    base = df["base_name"].to_numpy()[parent]
    df.loc[child, "base_name"] = base + " " + names
    df.loc[child, "domain"] = slug[parent] + tlds
    df.loc[child, "country"] = child_country
    df.loc[child, "industry"] = df["industry"].to_numpy()[parent]
    df.loc[child, "parent_idx"] = parent


def build_companies(seed: int, n_accounts: int, n_prospects: int) -> pd.DataFrame:
    """Every company of the demo world: CRM accounts, ERP-only customers and enrichment-only prospects."""
    rng = stream(seed, "companies")
    n_erp_only = int(round(n_accounts * ERP_ONLY_SHARE))
    n = n_accounts + n_erp_only + n_prospects
    base_name, slug = _names(rng, n)
    df = _firmographics(rng, n)
    df.insert(0, "company_idx", np.arange(n))
    df.insert(
        1, "role", np.repeat([ROLE_CRM, ROLE_ERP_ONLY, ROLE_PROSPECT], [n_accounts, n_erp_only, n_prospects])
    )
    df.insert(2, "base_name", base_name)
    df.insert(3, "domain", _domains(rng, slug, df["country"].to_numpy()))
    df["parent_idx"] = -1
    _add_subsidiaries(rng, df, slug)
    df["legal_suffix"] = [COUNTRIES[c][3] for c in df["country"]]
    if df["domain"].duplicated().any():
        raise RuntimeError("demo data: generated duplicate domains")
    return df
