"""The demo CRM as Airbyte lands HubSpot: streams `companies`, `deals`, `deal_pipelines`, `contacts`,
`engagements`, `companies_property_history`, `deals_property_history` in schema `hubspot`.

The same records as the fivetran_hubspot demo (property history with post-win edits, merged-away and
archived companies, archived deals, renamed stages), in Airbyte's shapes: `properties_<name>`
columns beside the whole `properties` object (JSON), `archived` flags, deal and contact
associations as JSON arrays of company ids, engagement associations in an `associations` object,
pipeline stages as a JSON array with `metadata.isClosed` / `metadata.probability` (no closed-won
flag: a won stage is closed with probability 1), and epoch-millisecond times in the engagements and
property history streams. Calls, emails and meetings are landed in the per-type streams
(`engagements_calls`, ...: `properties_hs_timestamp`, `companies` / `deals` / `contacts` arrays,
deleted ones `archived`), the other types in the legacy `engagements` stream (which lists live
engagements only: those deleted in Fivetran's `engagement` are not landed). Archived companies,
deals and contacts are in the `companies_archived` / `deals_archived` / `contacts_archived` streams (merged-away companies stay in
`companies`, archived); deals list their contacts (`contacts` array); the deleted pipeline and its
deals are not landed (Airbyte lists no deleted pipeline), the inactive one is (`active` false).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd

from icp_pipeline.demo.dialects.common import write_csv
from icp_pipeline.demo.dialects.fivetran_hubspot import write_fivetran_hubspot
from icp_pipeline.demo.dialects.hubspot_engagements import TYPED

EXTRACTED_AT = "2026-01-01T00:00:00Z"


def _read(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def _epoch_ms(values: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(values.replace("", None), errors="coerce")
    millis = (parsed - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1)
    return millis.astype("Int64").astype(str).replace("<NA>", "")


def _crm_object(frame: pd.DataFrame, key: str, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Fivetran's object columns as Airbyte's: property_x -> properties_x, a `properties` JSON
    object of the non-empty ones, is_deleted -> archived."""
    properties = [c for c in frame.columns if c.startswith("property_")]
    out = pd.DataFrame({"id": frame[key]})
    for column in properties:
        out["properties_" + column[len("property_") :]] = frame[column]
    out["properties"] = [
        json.dumps({c[len("property_") :]: row[c] for c in properties if row[c] != ""})
        for _, row in frame.iterrows()
    ]
    for column in keep:
        out[column] = frame[column]
    out["archived"] = frame["is_deleted"].eq("true") | frame["_fivetran_deleted"].eq("true")
    out["_airbyte_extracted_at"] = EXTRACTED_AT
    return out


def _ids(values: list[str]) -> str:
    """A JSON array of ids: numbers as HubSpot's ids are (the demo's other ids as text)."""
    return json.dumps([int(v) if v.isdigit() else v for v in values if v])


def _id_arrays(links: pd.DataFrame, key: str, ids: pd.Series) -> list[str]:
    grouped = links.groupby(key)["company_id"].apply(list).to_dict()
    return [_ids(grouped.get(i, [])) for i in ids]


def write_airbyte_hubspot(out_dir: Path, tables: dict[str, pd.DataFrame], seed: int) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        counts = write_fivetran_hubspot(Path(tmp), tables, seed)
        src = Path(tmp) / "hubspot"
        company, deal, contact = _read(src, "company"), _read(src, "deal"), _read(src, "contact")
        deal_company, stage = _read(src, "deal_company"), _read(src, "deal_pipeline_stage")
        engagement, engagement_company = _read(src, "engagement"), _read(src, "engagement_company")
        engagement_deal, engagement_contact = _read(src, "engagement_deal"), _read(src, "engagement_contact")
        details = {kind: _read(src, f"engagement_{kind}") for kind in TYPED}
        history = _read(src, "company_property_history")
        deal_history = _read(src, "deal_property_history")
        deal_contact, pipeline = _read(src, "deal_contact"), _read(src, "deal_pipeline")

    # Airbyte lands no deleted pipeline (the API no longer lists it): nor the demo's deals in one
    deleted_pipelines = set(pipeline.loc[pipeline["_fivetran_deleted"] == "true", "pipeline_id"])
    deal = deal[~deal["deal_pipeline_id"].isin(deleted_pipelines)]
    stage = stage[~stage["pipeline_id"].isin(deleted_pipelines)]
    counts["deals_in_deleted_pipeline"] = 0
    companies = _crm_object(company, "id")
    deals = _crm_object(deal, "deal_id")
    deals["properties_pipeline"] = deal["deal_pipeline_id"].to_numpy()
    deals["properties_dealstage"] = deal["deal_pipeline_stage_id"].to_numpy()
    deals["companies"] = _id_arrays(deal_company, "deal_id", deal["deal_id"])
    by_deal = deal_contact.groupby("deal_id")["contact_id"].apply(list).to_dict()
    deals["contacts"] = [_ids(by_deal.get(i, [])) for i in deal["deal_id"]]
    # archived records come in the *_archived streams; merged-away companies stay (archived) in companies
    merged_ids = {i for ids in company["property_hs_merged_object_ids"] for i in ids.split(";") if i}
    archived_company = companies["archived"] & ~companies["id"].isin(merged_ids)
    companies_archived, companies = companies[archived_company], companies[~archived_company]
    deals_archived, deals = deals[deals["archived"]], deals[~deals["archived"]]
    contacts = _crm_object(contact, "id")
    contacts["companies"] = [_ids([c]) for c in contact["property_associatedcompanyid"]]
    contacts = contacts.drop(columns="properties_associatedcompanyid")  # the association array says it
    contacts_archived, contacts = contacts[contacts["archived"]], contacts[~contacts["archived"]]

    stages = [
        {
            "stageId": row["stage_id"],
            "pipelineId": row["pipeline_id"],
            "label": row["label"],
            "displayOrder": k,
            "metadata": {"isClosed": row["is_closed"], "probability": row["probability"]},
            "active": True,
        }
        for k, (_, row) in enumerate(stage.iterrows())
    ]
    pipeline = pipeline[~pipeline["pipeline_id"].isin(deleted_pipelines)]
    pipelines = pd.DataFrame(
        {
            "pipelineId": pipeline["pipeline_id"],
            "label": pipeline["label"],
            "active": pipeline["active"].eq("true"),
            "stages": [
                json.dumps([s for s in stages if s["pipelineId"] == p]) for p in pipeline["pipeline_id"]
            ],
            "_airbyte_extracted_at": EXTRACTED_AT,
        }
    )

    links = {
        "companies": engagement_company.groupby("engagement_id")["company_id"].apply(list).to_dict(),
        "deals": engagement_deal.groupby("engagement_id")["deal_id"].apply(list).to_dict(),
        "contacts": engagement_contact.groupby("engagement_id")["contact_id"].apply(list).to_dict(),
    }
    # calls, emails and meetings in their per-type streams; the other types in the legacy stream
    typed_ids = set().union(*(set(frame["engagement_id"]) for frame in details.values()))
    # the legacy stream lists live engagements only: those deleted in `engagement` are not landed
    legacy = engagement[~engagement["id"].isin(typed_ids) & engagement["_fivetran_deleted"].ne("true")]
    counts["deleted_engagements"] -= counts["deleted_in_engagement_table"]
    counts["deleted_in_engagement_table"] = 0
    engagements = pd.DataFrame(
        {
            "id": legacy["id"],
            "type": legacy["type"],
            "timestamp": _epoch_ms(legacy["timestamp"]),
            "createdAt": _epoch_ms(legacy["created_at"]),
            "active": True,
            "associations": [
                json.dumps(
                    {
                        "contactIds": json.loads(_ids(links["contacts"].get(i, []))),
                        "companyIds": json.loads(_ids(links["companies"].get(i, []))),
                        "dealIds": json.loads(_ids(links["deals"].get(i, []))),
                    }
                )
                for i in legacy["id"]
            ],
            "_airbyte_extracted_at": EXTRACTED_AT,
        }
    )
    per_type = {
        kind: pd.DataFrame(
            {
                "id": frame["engagement_id"],
                "archived": frame["_fivetran_deleted"].eq("true"),
                "createdAt": frame["property_hs_createdate"],
                "properties_hs_timestamp": frame["property_hs_timestamp"],
                "properties_hs_createdate": frame["property_hs_createdate"],
                **{k: [_ids(links[k].get(i, [])) for i in frame["engagement_id"]] for k in links},
                "_airbyte_extracted_at": EXTRACTED_AT,
            }
        )
        for kind, frame in details.items()
    }
    property_history = pd.DataFrame(
        {
            "companyId": history["company_id"],
            "property": history["name"],
            "value": history["value"],
            "timestamp": _epoch_ms(history["timestamp"]),
            "source": history["source"],
            "isDeleted": False,
            "_airbyte_extracted_at": EXTRACTED_AT,
        }
    )
    deals_property_history = pd.DataFrame(
        {
            "dealId": deal_history["deal_id"],
            "property": deal_history["name"],
            "value": deal_history["value"],
            "timestamp": _epoch_ms(deal_history["timestamp"]),
            "sourceType": deal_history["source"],
            "_airbyte_extracted_at": EXTRACTED_AT,
        }
    )
    out = Path(out_dir)
    write_csv(out, "hubspot", "companies", companies)
    write_csv(out, "hubspot", "deals", deals)
    write_csv(out, "hubspot", "companies_archived", companies_archived)
    write_csv(out, "hubspot", "deals_archived", deals_archived)
    write_csv(out, "hubspot", "contacts_archived", contacts_archived)
    write_csv(out, "hubspot", "deal_pipelines", pipelines)
    write_csv(out, "hubspot", "contacts", contacts)
    write_csv(out, "hubspot", "engagements", engagements)
    for kind, frame in per_type.items():
        write_csv(out, "hubspot", f"engagements_{kind}s", frame)
    write_csv(out, "hubspot", "companies_property_history", property_history)
    write_csv(out, "hubspot", "deals_property_history", deals_property_history)
    return counts
