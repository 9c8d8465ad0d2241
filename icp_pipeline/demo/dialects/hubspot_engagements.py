"""The demo's activities as HubSpot engagements, as Fivetran lands them.

- `engagement` holds every activity (type upper case); calls, emails and meetings also have their
  `engagement_<type>` row, whose `property_hs_timestamp` says when they happened: their
  `engagement` row has no `timestamp` and a `created_at` two days later (logged after the fact).
- associations: most engagements have an `engagement_company` row; every fourth call/email/meeting
  is associated only with a deal of its company (`engagement_deal`) and every fourth other one only
  with a contact of it (`engagement_contact`), where the company has one.
- deleted: a few extra calls/emails/meetings deleted in HubSpot (`_fivetran_deleted` on their
  `engagement_<type>` row), and a few extra engagements of the other types deleted in `engagement`
  itself (they have no per-type row), that a reader must leave out.
Returns the tables by name and the counts of what was planted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.dialects.common import timestamps

TYPED = ("call", "email", "meeting")  # demo activity types with a HubSpot engagement_<type> table
LOGGED_LATER = pd.Timedelta(days=2)  # an engagement_<type> row's createdate after its hs_timestamp


def hubspot_engagements(
    activities: pd.DataFrame, opps: pd.DataFrame, contacts: pd.DataFrame
) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    occurred = pd.to_datetime(activities["occurred_at"])
    typed = activities["activity_type"].isin(TYPED).to_numpy()
    engagement = pd.DataFrame(
        {
            "id": activities["activity_id"],
            "type": activities["activity_type"].str.upper(),
            "timestamp": timestamps(occurred).where(~typed, None),
            "created_at": timestamps(occurred + pd.to_timedelta(np.where(typed, 2, 0), unit="D")),
            "_fivetran_deleted": False,
        }
    )
    details = pd.DataFrame(
        {
            "engagement_id": activities["activity_id"],
            "type": activities["activity_type"].str.upper(),
            "property_hs_timestamp": timestamps(occurred),
            "property_hs_createdate": timestamps(occurred + LOGGED_LATER),
            "_fivetran_deleted": False,
        }
    )[typed]

    # associations: company, else a deal of the company, else a contact of it
    deal_of = opps.dropna(subset=["account_id"]).groupby("account_id")["opportunity_id"].first()
    contact_of = contacts.dropna(subset=["account_id"]).groupby("account_id")["contact_id"].first()
    account = activities["account_id"]
    rank = np.cumsum(typed) - 1
    via_deal = typed & (rank % 4 == 0) & account.isin(deal_of.index).to_numpy()
    via_contact = typed & (rank % 4 == 2) & account.isin(contact_of.index).to_numpy()
    engagement_company = pd.DataFrame(
        {"engagement_id": activities["activity_id"], "company_id": account, "_fivetran_deleted": False}
    )[~via_deal & ~via_contact].dropna(subset=["company_id"])
    engagement_deal = pd.DataFrame(
        {
            "engagement_id": activities.loc[via_deal, "activity_id"],
            "deal_id": account[via_deal].map(deal_of),
            "_fivetran_deleted": False,
        }
    )
    engagement_contact = pd.DataFrame(
        {
            "engagement_id": activities.loc[via_contact, "activity_id"],
            "contact_id": account[via_contact].map(contact_of),
            "_fivetran_deleted": False,
        }
    )

    # deleted in HubSpot: copies of some calls/emails/meetings under new ids
    n_deleted = max(2, int(typed.sum()) // 50)
    linked = details[details["engagement_id"].isin(engagement_company["engagement_id"])]
    gone = linked.iloc[:: max(1, len(linked) // n_deleted)].head(n_deleted).copy()
    new_ids = [f"6{k:08d}" for k in range(len(gone))]
    gone_links = engagement_company.set_index("engagement_id").reindex(gone["engagement_id"])
    gone["engagement_id"] = new_ids
    gone["_fivetran_deleted"] = True
    gone_engagement = engagement.set_index("id").loc[activities.loc[gone.index, "activity_id"]].reset_index()
    gone_engagement["id"] = new_ids
    gone_company = pd.DataFrame(
        {
            "engagement_id": new_ids,
            "company_id": gone_links["company_id"].to_numpy(),
            "_fivetran_deleted": False,
        }
    ).dropna(subset=["company_id"])

    # deleted in HubSpot in `engagement` itself: copies of some engagements of the other types
    untyped = engagement[~typed & engagement["id"].isin(engagement_company["engagement_id"]).to_numpy()]
    n_untyped = max(2, int((~typed).sum()) // 50)
    gone_untyped = untyped.iloc[:: max(1, len(untyped) // n_untyped)].head(n_untyped).copy()
    untyped_ids = [f"5{k:08d}" for k in range(len(gone_untyped))]
    untyped_company = engagement_company.set_index("engagement_id").reindex(gone_untyped["id"])
    gone_untyped["id"] = untyped_ids
    gone_untyped["_fivetran_deleted"] = True
    gone_company = pd.concat(
        [
            gone_company,
            pd.DataFrame(
                {
                    "engagement_id": untyped_ids,
                    "company_id": untyped_company["company_id"].to_numpy(),
                    "_fivetran_deleted": False,
                }
            ),
        ],
        ignore_index=True,
    )

    tables = {
        "engagement": pd.concat([engagement, gone_engagement, gone_untyped], ignore_index=True),
        "engagement_company": pd.concat([engagement_company, gone_company], ignore_index=True),
        "engagement_deal": engagement_deal,
        "engagement_contact": engagement_contact,
    }
    details = pd.concat([details, gone], ignore_index=True)
    for kind in TYPED:
        tables[f"engagement_{kind}"] = details[details["type"] == kind.upper()].reset_index(drop=True)
    counts = {
        "engagements_via_deal": int(via_deal.sum()),
        "engagements_via_contact": int(via_contact.sum()),
        "deleted_engagements": len(gone) + len(gone_untyped),
        "deleted_in_engagement_table": len(gone_untyped),
    }
    return tables, counts
