"""The analyst's script: the same job as the pipeline, as one pandas + scikit-learn program.

Usage: python bench/pandas_baseline.py LANDING OUT_DIR [REPORT.json]

What a competent analyst would write without a pipeline, vectorised throughout: read the landing
CSVs with pandas, key every account by its normalised web domain, convert and aggregate invoices,
opportunities, activities, technologies and events with groupby, one-hot the categoricals, fit a
scikit-learn HistGradientBoostingRegressor (value: annualised gross margin of customers) and
HistGradientBoostingClassifier (win: accounts with a closed deal), score every account, tier the
prospects (10 % / 20 %) and write the list as CSV. It does none of the pipeline's validation,
identity resolution by name, point-in-time features, checks, model validation or explanations.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

T_PROCESS = time.time()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor  # noqa: E402

WON = {"closed won", "won", "closed-won", "closedwon", "closed_won"}
LOST = {"closed lost", "lost", "closed-lost", "closedlost", "closed_lost", "disqualified"}
STAGES: dict[str, list[float]] = {}


def mark(name: str, t0: float) -> float:
    now = time.time()
    STAGES[name] = [t0, now]
    return now


def domain_of(website: pd.Series) -> pd.Series:
    d = website.astype("string").str.strip().str.lower()
    d = d.str.replace(r"^[a-z]+://", "", regex=True).str.replace(r"^www\.", "", regex=True)
    return d.str.split("/").str[0].str.split("?").str[0].replace("", pd.NA)


def main(landing: Path, out_dir: Path) -> dict:
    t = time.time()
    read = lambda name, **kw: pd.read_csv(landing / f"{name}.csv", **kw)  # noqa: E731
    accounts = read("crm/accounts")
    opps = read("crm/opportunities", parse_dates=["close_date"])
    activities = read("crm/activities", parse_dates=["occurred_at"])
    customers = read("erp/customers")
    invoices = read("erp/invoices", parse_dates=["invoice_date"])
    fx = read("erp/fx_rates", parse_dates=["valid_from"])
    firms = read("enrichment/firmographics")
    tech = read("enrichment/technographics", parse_dates=["last_seen"])
    events = read("enrichment/events", parse_dates=["event_date"])
    t = mark("extract", t)

    # accounts keyed by normalised domain (else the CRM / ERP id)
    accounts["key"] = domain_of(accounts["website"]).fillna("crm:" + accounts["account_id"])
    accounts = accounts.drop_duplicates("key")
    crm_key = accounts.set_index("account_id")["key"]
    customers["key"] = (
        domain_of(customers["website"])
        .fillna(customers["crm_account_id"].map(crm_key))
        .fillna("erp:" + customers["erp_customer_id"])
    )
    as_of = activities["occurred_at"].max().normalize()
    year_ago = as_of - pd.DateOffset(months=12)

    # invoices in USD (yearly rates), gross margin and tenure per customer
    fx["year"] = fx["valid_from"].dt.year
    rates = fx.dropna(subset=["year"]).set_index(["currency", "year"])["rate_to_reporting"]
    inv = invoices[invoices["status"] != "void"].copy()
    inv["currency"] = inv["currency"].fillna("USD")
    inv["year"] = inv["invoice_date"].dt.year.clip(int(fx["year"].min()), int(fx["year"].max()))
    idx = pd.MultiIndex.from_frame(inv[["currency", "year"]])
    inv["rate"] = np.where(inv["currency"] == "USD", 1.0, rates.reindex(idx).to_numpy())
    inv["amount_usd"] = inv["amount"] * inv["rate"]
    inv["cost_usd"] = inv["cost"] * inv["rate"]
    with_cost = inv["cost_usd"].notna()
    ratio = 1 - inv.loc[with_cost, "cost_usd"].sum() / inv.loc[with_cost, "amount_usd"].sum()
    inv["margin"] = (inv["amount_usd"] - inv["cost_usd"]).fillna(inv["amount_usd"] * ratio)
    inv["key"] = inv["erp_customer_id"].map(customers.set_index("erp_customer_id")["key"])
    per = inv.groupby("key").agg(
        margin=("margin", "sum"), first=("invoice_date", "min"), last=("invoice_date", "max")
    )
    months = ((per["last"] - per["first"]).dt.days / 30.4375).clip(lower=12)
    per["annualised_value"] = per["margin"] / months * 12

    # opportunities, activities, technologies, events
    opps["key"] = opps["account_id"].map(crm_key)
    stage = opps["stage"].str.strip().str.lower()
    opps["won"], opps["closed"] = stage.isin(WON), stage.isin(WON | LOST)
    deals = opps.groupby("key").agg(has_won=("won", "any"), has_closed=("closed", "any"))
    recent = activities[activities["occurred_at"] >= year_ago]
    acts = recent.groupby(recent["account_id"].map(crm_key)).size().rename("activities_12m")
    tech = tech[tech["last_seen"] >= year_ago]
    common = tech["technology"].value_counts()
    tech = tech[tech["technology"].isin(common[common >= 5].index)]
    flags = pd.crosstab(tech["domain"], tech["technology"]).clip(upper=1).add_prefix("tech_")
    recent_events = events[events["event_date"] >= year_ago]
    ev = pd.crosstab(recent_events["domain"], recent_events["event_type"]).add_prefix("events_12m_")

    # one row per account: CRM accounts, ERP-only customers and enrichment-only prospects
    firms = firms.drop_duplicates("domain").set_index("domain")
    keys = pd.Index(accounts["key"]).union(customers["key"]).union(firms.index)
    df = pd.DataFrame(index=keys)
    df["account_name"] = accounts.set_index("key")["account_name"].reindex(keys)
    df["account_name"] = df["account_name"].fillna(firms["company_name"].reindex(keys))
    numeric = [
        "employee_count",
        "employee_growth_12m",
        "annual_revenue",
        "office_count",
        "cloud_spend_index",
        "web_traffic_rank",
    ]
    df = df.join(firms[numeric])
    df["company_age"] = as_of.year - firms["founded_year"].reindex(keys)
    df = df.join(firms[["industry", "hq_country", "ownership", "funding_stage"]])
    df = df.join(flags).join(ev).join(acts).join(deals).join(per[["annualised_value"]])
    fill = [c for c in df.columns if c.startswith(("tech_", "events_12m_"))] + ["activities_12m"]
    df[fill] = df[fill].fillna(0)
    df["is_customer"] = df["annualised_value"].gt(0) | df["has_won"].fillna(False).astype(bool)
    X = pd.get_dummies(
        df.drop(
            columns=[
                "account_name",
                "annualised_value",
                "has_won",
                "has_closed",
                "is_customer",
                "activities_12m",
            ]
        ),
        columns=["industry", "hq_country", "ownership", "funding_stage"],
        dtype=float,
    ).astype(float)
    t = mark("transform", t)

    params = {"max_iter": 300, "learning_rate": 0.05, "max_leaf_nodes": 15, "random_state": 42}
    fit_value = df["is_customer"] & df["annualised_value"].notna()
    value_model = HistGradientBoostingRegressor(**params).fit(
        X[fit_value], np.log1p(df.loc[fit_value, "annualised_value"].clip(lower=0))
    )
    closed = df["has_closed"].fillna(False).astype(bool)
    win_model = HistGradientBoostingClassifier(**params).fit(
        X[closed], df.loc[closed, "has_won"].astype(bool)
    )
    df["predicted_value"] = np.expm1(value_model.predict(X)).clip(min=0)
    df["win_probability"] = win_model.predict_proba(X)[:, 1]
    t = mark("model", t)

    df["expected_value"] = df["predicted_value"] * df["win_probability"]
    df["icp_score"] = (df["expected_value"].rank(pct=True) * 100).round(1)
    prospects = ~df["is_customer"]
    rank = df.loc[prospects, "expected_value"].rank(ascending=False, method="first")
    n = prospects.sum()
    df["tier"] = "Tier 3"
    df.loc[rank[rank <= 0.1 * n].index, "tier"] = "Tier 1"
    df.loc[rank[(rank > 0.1 * n) & (rank <= 0.3 * n)].index, "tier"] = "Tier 2"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = df.reset_index(names="account_key").sort_values("icp_score", ascending=False)
    cols = [
        "account_key",
        "account_name",
        "industry",
        "hq_country",
        "employee_count",
        "is_customer",
        "predicted_value",
        "win_probability",
        "expected_value",
        "icp_score",
        "tier",
        "activities_12m",
    ]
    out[cols].to_csv(out_dir / "target_accounts.csv", index=False)
    mark("publish", t)
    return {
        "accounts": len(df),
        "customers_fitted": int(fit_value.sum()),
        "closed_fitted": int(closed.sum()),
        "features": X.shape[1],
    }


if __name__ == "__main__":
    info = main(Path(sys.argv[1]), Path(sys.argv[2]))
    if len(sys.argv) > 3:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from measure import rusage_report

        report = {"t_process": T_PROCESS, "stages": STAGES, "info": info, "rusage": rusage_report()}
        Path(sys.argv[3]).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: round(b - a, 2) for k, (a, b) in STAGES.items()}))
