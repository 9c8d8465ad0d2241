"""The planted causal model: which observable attributes drive customer value and winning."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

HIGH_VALUE_INDUSTRIES = ("software", "financial_services")
EMPLOYEE_BAND = (200, 2000)
CLOUD_SPEND_CENTRE, CLOUD_SPEND_SCALE = 50.0, 20.0

# Annual gross margin of a customer with no driver present, and the spread around the drivers.
BASE_ANNUAL_GROSS_MARGIN = 12_000.0
VALUE_NOISE_SD = 0.5


@dataclass(frozen=True)
class Driver:
    """One planted driver: its attribute name in the feature mart and its effects."""

    attribute: str
    column: str  # column of `driver_matrix`
    value_coef: float  # added to log(annual gross margin)
    win_coef: float  # added to the log-odds of becoming a customer
    effect: str  # direction as in icp.attribute_importance: +, - or mixed
    description: str
    detail: dict = field(default_factory=dict)


DRIVERS: tuple[Driver, ...] = (
    Driver(
        attribute="tech__snowflake",
        column="snowflake",
        value_coef=0.9,
        win_coef=1.0,
        effect="+",
        description="Uses Snowflake (first_seen before the as-of date): the strongest driver.",
        detail={"technology": "Snowflake"},
    ),
    Driver(
        attribute="firmo__industry",
        column="high_value_industry",
        value_coef=0.55,
        win_coef=0.6,
        effect="+",
        description="Canonical industry software or financial_services (enrichment 'Software', 'Fintech').",
        detail={"levels": list(HIGH_VALUE_INDUSTRIES), "enrichment_labels": ["Software", "Fintech"]},
    ),
    Driver(
        attribute="firmo__employee_count",
        column="employee_band",
        value_coef=0.5,
        win_coef=0.6,
        effect="mixed",
        description="Employee count in a mid band; smaller and larger companies are worth less (non-monotone).",
        detail={"band": list(EMPLOYEE_BAND), "shape": "non-monotone"},
    ),
    Driver(
        attribute="sit__events_hiring_surge_12m",
        column="hiring_surge",
        value_coef=0.25,
        win_coef=0.5,
        effect="+",
        description="A hiring_surge event in the 12 months before the as-of date (the win date for customers).",
        detail={"event_type": "hiring_surge", "window_days": 365},
    ),
    Driver(
        attribute="x__cloud_spend_index",
        column="cloud_spend",
        value_coef=0.3,
        win_coef=0.3,
        effect="+",
        description="Extra firmographics column cloud_spend_index (0-100): log value rises linearly with it.",
        detail={"column": "enrichment/firmographics.cloud_spend_index", "per_unit": 1 / CLOUD_SPEND_SCALE},
    ),
)


@dataclass(frozen=True)
class Interaction:
    """A planted interaction: extra log-value when both driver inputs are present (product of columns).

    Real ICPs are rarely additive: a technology pays off more in the industries built around it.
    A linear model on the attributes cannot express this; trees can."""

    attributes: tuple[str, str]
    columns: tuple[str, str]  # columns of `driver_matrix`
    value_coef: float
    description: str


INTERACTIONS: tuple[Interaction, ...] = (
    Interaction(
        attributes=("tech__snowflake", "firmo__industry"),
        columns=("snowflake", "high_value_industry"),
        value_coef=0.9,
        description="Snowflake is worth more in software and financial services (data-heavy industries).",
    ),
    Interaction(
        attributes=("sit__events_hiring_surge_12m", "firmo__employee_count"),
        columns=("hiring_surge", "employee_band"),
        value_coef=0.6,
        description="A hiring surge adds value mostly in mid-sized companies (200-2000 employees).",
    ),
)


def driver_matrix(companies: pd.DataFrame) -> pd.DataFrame:
    """The driver inputs of each company (binary flags, cloud spend standardised)."""
    employees = companies["employee_count"].to_numpy()
    return pd.DataFrame(
        {
            "snowflake": companies["uses_snowflake"].astype(float).to_numpy(),
            "high_value_industry": companies["industry"].isin(HIGH_VALUE_INDUSTRIES).astype(float).to_numpy(),
            "employee_band": ((employees >= EMPLOYEE_BAND[0]) & (employees <= EMPLOYEE_BAND[1])).astype(
                float
            ),
            "hiring_surge": companies["hiring_surge"].astype(float).to_numpy(),
            "cloud_spend": (companies["cloud_spend_index"].to_numpy() - CLOUD_SPEND_CENTRE)
            / CLOUD_SPEND_SCALE,
        },
        index=companies.index,
    )


def value_signal(companies: pd.DataFrame) -> np.ndarray:
    """Noise-free log-value uplift of each company."""
    x = driver_matrix(companies)
    additive = sum(d.value_coef * x[d.column].to_numpy() for d in DRIVERS)
    return additive + sum(
        i.value_coef * x[i.columns[0]].to_numpy() * x[i.columns[1]].to_numpy() for i in INTERACTIONS
    )


def fit_signal(companies: pd.DataFrame) -> np.ndarray:
    """Noise-free log-odds uplift of becoming a customer: the true ICP fit."""
    x = driver_matrix(companies)
    return sum(d.win_coef * x[d.column].to_numpy() for d in DRIVERS)


def annual_gross_margin(rng: np.random.Generator, companies: pd.DataFrame) -> np.ndarray:
    """Potential annual gross margin (USD) of every company: lognormal around the drivers."""
    noise = rng.normal(0.0, VALUE_NOISE_SD, len(companies))
    return BASE_ANNUAL_GROSS_MARGIN * np.exp(value_signal(companies) + noise)


def calibrated_intercept(fit: np.ndarray, target_share: float) -> float:
    """Intercept that makes the mean win probability equal `target_share` (bisection)."""
    lo, hi = -15.0, 15.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if np.mean(1 / (1 + np.exp(-(mid + fit)))) < target_share:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2
