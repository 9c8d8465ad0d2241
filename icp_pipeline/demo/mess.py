"""Realistic mess: how people type websites, company names, industries and countries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import blank, choice
from icp_pipeline.demo.vocab import COUNTRIES, INDUSTRIES, LEGAL_SUFFIX_VARIANTS

_PATHS = ("", "/", "/about", "/en/home", "/contact-us")


def _pick_per_row(rng: np.random.Generator, candidates: list[pd.Series], p: list[float]) -> np.ndarray:
    stacked = np.stack([c.to_numpy(dtype=object) for c in candidates])
    which = rng.choice(len(candidates), size=stacked.shape[1], p=np.asarray(p) / np.sum(p))
    return stacked[which, np.arange(stacked.shape[1])]


def website_variants(rng: np.random.Generator, domains: np.ndarray, null_rate: float = 0.05) -> np.ndarray:
    """URL or bare-domain spellings of canonical domains (`https://www.Acme.com/about`, `ACME.COM`...)."""
    d = pd.Series(np.asarray(domains, dtype=object), dtype=object)
    capitalised = d.str[0].str.upper() + d.str[1:]
    path = pd.Series(choice(rng, _PATHS, len(d)), dtype=object)
    candidates = [
        d,
        "www." + d,
        "https://www." + capitalised + path,
        "http://" + d,
        "WWW." + d.str.upper(),
        "https://" + d + "/",
        "http://www." + d + path,
    ]
    out = _pick_per_row(rng, candidates, [0.3, 0.15, 0.2, 0.1, 0.07, 0.1, 0.08])
    return blank(rng, out, null_rate)


def crm_names(rng: np.random.Generator, base: np.ndarray, suffix: np.ndarray) -> np.ndarray:
    """How sales reps type a company: mostly the plain name, sometimes with its legal suffix."""
    b = pd.Series(np.asarray(base, dtype=object), dtype=object)
    s = pd.Series(np.asarray(suffix, dtype=object), dtype=object)
    return _pick_per_row(rng, [b, b + " " + s, b.str.upper()], [0.6, 0.33, 0.07])


def legal_names(rng: np.random.Generator, base: np.ndarray, suffix: np.ndarray) -> np.ndarray:
    """How an ERP clerk types a legal entity: suffix variants and casing ("Acme Inc." vs "ACME, Inc")."""
    suffix = np.asarray(suffix, dtype=object)
    spelled = np.empty(len(suffix), dtype=object)
    for canonical, variants in LEGAL_SUFFIX_VARIANTS.items():
        mask = suffix == canonical
        spelled[mask] = choice(rng, variants, int(mask.sum()))
    b = pd.Series(np.asarray(base, dtype=object), dtype=object)
    sp = pd.Series(spelled, dtype=object)
    joined = b + np.where(sp.str.startswith(","), "", " ") + sp
    return _pick_per_row(rng, [joined, joined.str.upper(), b], [0.7, 0.22, 0.08])


def crm_industries(rng: np.random.Generator, keys: np.ndarray, null_rate: float = 0.1) -> np.ndarray:
    """Free-text CRM industry: one of several spellings of each canonical industry."""
    keys = np.asarray(keys, dtype=object)
    out = np.empty(len(keys), dtype=object)
    for key, (_, _, _, spellings) in INDUSTRIES.items():
        mask = keys == key
        out[mask] = choice(rng, spellings, int(mask.sum()))
    return blank(rng, out, null_rate)


def country_variants(rng: np.random.Generator, iso2: np.ndarray, null_rate: float = 0.08) -> np.ndarray:
    """ISO-2 codes and English country names, mixed."""
    iso2 = np.asarray(iso2, dtype=object)
    out = iso2.copy()
    use_name = rng.random(len(iso2)) < 0.4
    for code, (_, names, _, _, _) in COUNTRIES.items():
        mask = use_name & (iso2 == code)
        out[mask] = choice(rng, names, int(mask.sum()))
    return blank(rng, out, null_rate)
