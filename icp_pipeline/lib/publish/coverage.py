"""What this refresh could and could not compute, from what landed: the rows of `icp.data_coverage`.

One row per landing-contract table (was a file present, how many rows loaded, how many were
quarantined) and one per capability of the pipeline (value model, win model, technographics, ...)
with whether it could be computed and, when not, why, in one plain sentence. Read by people first:
a company that drops a CRM-only export learns here that the ERP labels, enrichment and prospect
tiers were skipped, and why.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from icp_pipeline.lib.landing.connectors.coverage import connector_rows
from icp_pipeline.lib.landing.connectors.tables import DIALECTS
from icp_pipeline.lib.landing.contract import TABLES
from icp_pipeline.lib.landing.quarantine import describe_counts
from icp_pipeline.lib.quality.dropped_values import sentence_by_table as dropped_in_models
from icp_pipeline.lib.warehouse.connection import table_exists
from icp_pipeline.lib.warehouse.frames import read_frame

COVERAGE_COLUMNS = ["area", "name", "available", "row_count", "quarantined_rows", "detail"]


def _frame(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> pd.DataFrame | None:
    return read_frame(con, f"select * from {schema}.{table}") if table_exists(con, schema, table) else None


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def landing_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per contract table from the extract's load log (`raw._landing_loads`)."""
    loads = _frame(con, "raw", "_landing_loads")
    by_table = {} if loads is None else {r["landing_table"]: r for _, r in loads.iterrows()}
    model_drops = dropped_in_models(con)  # what dbt left out, per table and reason
    rows = []
    for table in TABLES:
        load = by_table.get(table.full_name)
        if load is None:
            present, n, quarantined = False, 0, 0
            detail = "Not loaded in this refresh."
        else:
            present, n, quarantined = (
                bool(load["present"]),
                int(load["row_count"]),
                int(load["quarantined_rows"]),
            )
            if not present:
                detail = (
                    "Required, but no file was found."
                    if table.required
                    else "No file found; the table is optional, so the run went on without it."
                )
            else:
                files = ", ".join(list(load["files"])[:3]) + (" …" if len(load["files"]) > 3 else "")
                detail = f"Loaded {_n(n, 'row')} from {files}."
                if quarantined:
                    detail += (
                        f" {_n(quarantined, 'row')} went to raw._quarantine (a missing required value in "
                        f"{', '.join(table.required_columns)}, or an impossible date or amount; see its reason)."
                    )
                raw_counts = load.get("set_aside")
                counts = json.loads(raw_counts) if isinstance(raw_counts, str) else {}
                if quarantined:  # the sentence above counts them: the same rows are not counted twice
                    counts.pop("missing_required", None)
                if any(counts.values()):
                    detail += f" Counted by the loader: {describe_counts(counts)} (see raw._quarantine)."
                missing = list(
                    load["missing_optional_columns"] if load["missing_optional_columns"] is not None else []
                )
                if missing:
                    detail += f" Optional columns not in the export: {', '.join(missing)}."
                extras = list(load["extra_columns"] if load["extra_columns"] is not None else [])
                if extras and table.extras_are_attributes:
                    detail += f" Extra columns kept as candidate attributes: {', '.join(extras)}."
                if table.full_name in model_drops:
                    detail += " " + model_drops[table.full_name]
        rows.append(
            {
                "area": "landing_table",
                "name": table.full_name,
                "available": present and n > 0,
                "row_count": n,
                "quarantined_rows": quarantined,
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def _capability(name: str, available: bool, detail: str) -> dict:
    return {
        "area": "capability",
        "name": name,
        "available": bool(available),
        "row_count": None,
        "quarantined_rows": None,
        "detail": detail,
    }


def _status(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[bool, str]]:
    status = _frame(con, "model", "model_status")
    if status is None:
        return {}
    return {r["component"]: (bool(r["available"]), str(r["detail"])) for _, r in status.iterrows()}


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else text


def capability_rows(
    con: duckdb.DuckDBPyConnection,
    targets: pd.DataFrame,
    features: pd.DataFrame,
    technographic_columns: int | None = None,
) -> pd.DataFrame:
    """One row per capability: could it be computed from what landed, and if not, why.

    `technographic_columns`: how many `tech__*` columns of the mart hold a value, when `features`
    holds only some of the mart's columns (default: counted in `features`).
    """
    landing = landing_rows(con).set_index("name")
    rows_of = landing["row_count"].astype(int).to_dict()
    status = _status(con)
    importance = _frame(con, "model", "attribute_importance")
    metrics = _frame(con, "model", "model_metrics")
    out: list[dict] = []

    # prospects to tier
    n_accounts = len(targets)
    n_customers = int(targets["is_customer"].astype(bool).sum()) if n_accounts else 0
    n_prospects = n_accounts - n_customers
    if n_prospects:
        out.append(
            _capability("prospects_to_tier", True, f"{_n(n_prospects, 'prospect')} were scored and tiered.")
        )
    else:
        out.append(
            _capability(
                "prospects_to_tier",
                False,
                f"All {_n(n_accounts, 'account')} are already customers, so there are no prospects to tier; "
                "target_accounts ranks and tiers the customers themselves, as an expansion list.",
            )
        )

    # value model and its label
    trained, detail = status.get("value_model", (True, ""))
    out.append(_capability("value_model", trained, _sentence(detail) or "Trained."))
    has_erp_value = table_exists(con, "intermediate", "int_account_value_labels") and bool(
        con.execute(
            "select coalesce(bool_or(is_label_from_erp), false) from intermediate.int_account_value_labels"
        ).fetchone()[0]
    )
    out.append(
        _capability(
            "value_from_erp_revenue",
            has_erp_value,
            "Customer value comes from paid ERP invoices (revenue and gross margin)."
            if has_erp_value
            else "No paid ERP invoices, so customer value comes from won opportunity amounts instead of "
            "invoiced revenue and gross margin.",
        )
    )
    has_contracts = rows_of.get("erp/contracts", 0) > 0
    out.append(
        _capability(
            "contract_value_and_churn",
            has_contracts,
            "Contract value (ACV) and churn come from ERP contracts."
            if has_contracts
            else "No ERP contracts, so contract value (ACV) and churn could not be computed.",
        )
    )

    # win model
    trained, detail = status.get("win_model", (False, "the model step did not report on the win model"))
    if trained:
        win_detail = _sentence(detail)
    else:
        lead = "No CRM opportunities, so the" if rows_of.get("crm/opportunities", 0) == 0 else "The"
        reason, _, prior = detail.removeprefix("win model not trained: ").partition("; ")
        win_detail = f"{lead} win model was not trained ({reason})"
        if prior:
            win_detail += f"; {prior}, which leaves the ranking to the value model"
        win_detail = _sentence(win_detail)
    out.append(_capability("win_model", trained, win_detail))

    # identity and enrichment
    with_domain = int(features["domain"].notna().sum()) if "domain" in features else 0
    out.append(
        _capability(
            "domain_matching",
            with_domain > 0,
            f"{_n(with_domain, 'account')} of {len(features):,} have a web domain to match enrichment data on."
            if with_domain
            else "No account has a web domain (no website in the export), so accounts are keyed by their "
            "CRM or ERP id and no enrichment data can be matched to them.",
        )
    )
    for name, table, what in (
        ("firmographic_enrichment", "enrichment/firmographics", "firmographics from a data vendor"),
        ("technographics", "enrichment/technographics", "technologies used (tech__ attributes)"),
        ("business_events", "enrichment/events", "company events (funding, hiring, …)"),
    ):
        n = rows_of.get(table, 0)
        matched = 0
        if name == "firmographic_enrichment" and "has_enrichment_record" in features:
            matched = int(features["has_enrichment_record"].fillna(False).astype(bool).sum())
        if name == "technographics":
            matched = (
                technographic_columns
                if technographic_columns is not None
                else sum(int(features[c].notna().any()) for c in features.columns if c.startswith("tech__"))
            )
        available = n > 0 and (name == "business_events" or matched > 0)
        if available:
            detail = f"{table} gives {what}: {_n(n, 'row')} loaded."
            if name == "firmographic_enrichment" and "crm_account_id" in features:
                crm = features["crm_account_id"].notna()
                hit = int((crm & features["has_enrichment_record"].fillna(False).astype(bool)).sum())
                detail += f" It matched {hit:,} of {int(crm.sum()):,} CRM accounts; unmatched domains are prospects."
        elif n == 0:
            detail = f"No {table} file, so {what} could not be used."
        else:
            detail = (
                f"{table} loaded {_n(n, 'row')}, but none matched an account, so {what} could not be used."
            )
        out.append(_capability(name, available, detail))

    # point-in-time behaviour
    behaviour_rows = rows_of.get("crm/activities", 0) + rows_of.get("crm/contacts", 0)
    out.append(
        _capability(
            "point_in_time_behaviour",
            behaviour_rows > 0,
            "CRM activities and contacts before each account's as-of date give behavioural attributes "
            "(profile only; never used to score prospects)."
            if behaviour_rows
            else "No CRM activities or contacts, so behavioural attributes (activity and contact history "
            "before the first win) could not be computed.",
        )
    )

    # candidate attributes
    if importance is not None and len(importance):
        used = int(importance["used_in_model"].astype(bool).sum())
        reasons = importance.loc[~importance["used_in_model"].astype(bool), "excluded_reason"].fillna("")
        empty = int(reasons.isin(["all missing", "constant"]).sum())
        detail = f"{used} of {len(importance)} candidate attributes were used by the value model"
        if empty:
            detail += f"; {empty} were all missing or constant in this data and were skipped"
        out.append(_capability("candidate_attributes", used > 0, _sentence(detail)))

    # validation
    has_holdout = metrics is not None and bool((metrics["split"] == "time_holdout").any())
    out.append(
        _capability(
            "time_holdout_validation",
            has_holdout,
            "The value model was also tested on the most recent customers after training on earlier ones."
            if has_holdout
            else "Too few customers with a first-win date to hold out the most recent ones, so the value "
            "model was only cross-validated.",
        )
    )
    n_members = rows_of.get("marketing/campaign_members", 0)
    out.append(
        _capability(
            "campaign_validation",
            n_members > 0,
            f"{_n(n_members, 'campaign member')} compare the response of ICP-tier accounts with a control group."
            if n_members
            else "No marketing campaign members, so the tiers could not be validated against campaign response.",
        )
    )
    n_leads = rows_of.get("crm/leads", 0)
    out.append(
        _capability(
            "lead_validation",
            n_leads > 0,
            f"{_n(n_leads, 'lead')} show how many recent leads fall in Tiers 1–2."
            if n_leads
            else "No CRM leads, so the share of recent leads inside the ICP tiers could not be measured.",
        )
    )
    return pd.DataFrame(out, columns=COVERAGE_COLUMNS)


def data_coverage(
    con: duckdb.DuckDBPyConnection,
    targets: pd.DataFrame,
    features: pd.DataFrame,
    technographic_columns: int | None = None,
) -> pd.DataFrame:
    """Landing tables then capabilities, in the column order of `COVERAGE_COLUMNS`."""
    capabilities = capability_rows(con, targets, features, technographic_columns)
    landing = landing_rows(con)
    connectors = connector_rows(con)  # docs/connectors/: the dialects and their tables
    if not connectors.empty:
        replaced = (
            landing["name"]
            .str.split("/")
            .str[0]
            .isin(
                [
                    DIALECTS[d]["replaces"]
                    for d in connectors.loc[connectors["area"] == "source_dialect", "name"]
                ]
            )
            & ~landing["available"]
            & (landing["name"] != "erp/fx_rates")
        )
        landing.loc[replaced, "detail"] = (
            "Not used: a connector dialect stands in for it (see source_dialect)."
        )
    frame = pd.concat(
        [landing, connectors[COVERAGE_COLUMNS] if not connectors.empty else connectors, capabilities],
        ignore_index=True,
    )
    frame["available"] = frame["available"].astype(bool)
    frame["row_count"] = frame["row_count"].astype("Int64")
    frame["quarantined_rows"] = frame["quarantined_rows"].astype("Int64")
    return frame[COVERAGE_COLUMNS]


def model_value_label(con: duckdb.DuckDBPyConnection, configured: str) -> str:
    """The value label the value model learnt (`model.model_status`): the configured one, or the
    fallback it used when the configured label was missing for too many customers."""
    status = _status(con)
    label = status.get("value_label", (True, ""))[1]
    return label or configured
