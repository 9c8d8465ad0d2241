"""CRM contacts and activities, including the post-sale ones that leak the outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import (
    REFERENCE_DATE,
    add_days,
    blank,
    choice,
    groups,
    make_ids,
    office_hours,
    stream,
    uniform_dates,
)
from icp_pipeline.demo.crm import account_ids
from icp_pipeline.demo.vocab import (
    CONTACT_ROLES,
    FIRST_NAMES,
    LAST_NAMES,
    POST_WIN_ACTIVITY_WEIGHTS,
    PRE_WIN_ACTIVITY_TYPES,
    PRE_WIN_ACTIVITY_WEIGHTS,
)

POST_WIN_ACTIVITIES_PER_YEAR = 18


def _dates(accounts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    created = accounts["crm_created_date"].to_numpy().astype("datetime64[D]")
    as_of = accounts["as_of"].to_numpy().astype("datetime64[D]")
    end = accounts["end_date"].to_numpy().astype("datetime64[D]")
    return created, as_of, end, accounts["is_customer"].to_numpy()


def build_contacts(seed: int, accounts: pd.DataFrame) -> pd.DataFrame:
    """People at accounts; customers gain many contacts after the win (a planted leak)."""
    rng = stream(seed, "crm/contacts")
    n = len(accounts)
    created, as_of, end, cust = _dates(accounts)
    pre_owner, _ = groups(1 + rng.poisson(2.0, n))
    post_owner, _ = groups(np.where(cust, 1 + rng.poisson(4.0, n), 0))
    owner = np.concatenate([pre_owner, post_owner])
    pre_dates = uniform_dates(rng, created[pre_owner], as_of[pre_owner])
    post_dates = uniform_dates(rng, add_days(as_of[post_owner], 1), end[post_owner])
    dates = np.concatenate([pre_dates, post_dates])
    m = len(owner)
    roles = np.array(CONTACT_ROLES, dtype=object)[rng.integers(0, len(CONTACT_ROLES), m)]
    first = choice(rng, FIRST_NAMES, m)
    last = choice(rng, LAST_NAMES, m)
    local = np.where(rng.random(m) < 0.8, first + "." + last, pd.Series(first).str[0].to_numpy() + last)
    email = local + "@" + accounts["domain"].to_numpy()[owner]
    contacts = pd.DataFrame(
        {
            "account_id": account_ids(n)[owner],
            "title": blank(rng, roles[:, 0], 0.05),
            "department": blank(rng, roles[:, 1], 0.15),
            "seniority": blank(rng, roles[:, 2], 0.2),
            "email": blank(rng, email, 0.1),
            "created_at": office_hours(rng, dates),
        }
    )
    contacts = contacts.sort_values("created_at", kind="stable").reset_index(drop=True)
    contacts.insert(0, "contact_id", make_ids("003Dn", len(contacts)))
    return contacts


def build_activities(seed: int, accounts: pd.DataFrame) -> pd.DataFrame:
    """Emails, calls, meetings...; customers log many more after the win than before (a planted leak)."""
    rng = stream(seed, "crm/activities")
    n = len(accounts)
    created, as_of, end, cust = _dates(accounts)
    tenure_years = np.where(cust, (end - as_of).astype(float) / 365.25, 0.0)
    pre_counts = np.where(cust, rng.poisson(8.0, n), rng.poisson(7.0, n))
    post_counts = np.where(cust, rng.poisson(POST_WIN_ACTIVITIES_PER_YEAR * tenure_years), 0)
    pre_owner, _ = groups(pre_counts)
    post_owner, _ = groups(post_counts)
    window_start = np.where(cust, add_days(as_of, -240), add_days(as_of, -3 * 365))
    pre_start = np.maximum(window_start, created)[pre_owner]
    pre_dates = uniform_dates(rng, pre_start, as_of[pre_owner])
    post_dates = uniform_dates(rng, add_days(as_of[post_owner], 1), end[post_owner])
    pre_types = choice(rng, PRE_WIN_ACTIVITY_TYPES, len(pre_owner), PRE_WIN_ACTIVITY_WEIGHTS)
    post_types = choice(rng, PRE_WIN_ACTIVITY_TYPES, len(post_owner), POST_WIN_ACTIVITY_WEIGHTS)
    owner = np.concatenate([pre_owner, post_owner])
    occurred = office_hours(rng, np.minimum(np.concatenate([pre_dates, post_dates]), REFERENCE_DATE))
    activities = pd.DataFrame(
        {
            "account_id": account_ids(n)[owner],
            "activity_type": np.concatenate([pre_types, post_types]),
            "occurred_at": occurred,
        }
    )
    activities = activities.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    activities.insert(0, "activity_id", make_ids("00TDn", len(activities)))
    return activities
