"""Marketing campaign members: past sends to prospects, responses rising with the true fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.demo.common import (
    REFERENCE_DATE,
    days_before_reference,
    make_ids,
    office_hours,
    sigmoid,
    stream,
)
from icp_pipeline.demo.crm import account_ids

CAMPAIGN_DAYS_AGO = (700, 600, 500, 400, 300, 200, 120, 45)
AUDIENCE_SHARE = 0.12  # of the eligible accounts, per campaign
RESPONSE_INTERCEPT, RESPONSE_SLOPE = -2.4, 0.9  # on the standardised true fit


def build_campaign_members(seed: int, accounts: pd.DataFrame) -> pd.DataFrame:
    """Sends to accounts not yet customers; every other campaign splits an `icp` and a `control` group.

    The `icp` group was picked by a noisy legacy ICP (weighted towards high true fit), the
    control group at random, so responses validate an ICP that ranks by true fit.
    """
    rng = stream(seed, "marketing/campaign_members")
    ids = account_ids(len(accounts))
    fit = accounts["fit"].to_numpy()
    z = (fit - fit.mean()) / (fit.std() or 1.0)
    win = accounts["win_date"].to_numpy().astype("datetime64[D]")
    campaigns = make_ids("701Dn", len(CAMPAIGN_DAYS_AGO))
    frames = []
    for c, days_ago in enumerate(CAMPAIGN_DAYS_AGO):
        sent = days_before_reference(np.array([days_ago]))[0]
        eligible = np.flatnonzero(np.isnat(win) | (win > sent))
        size = int(round(len(eligible) * AUDIENCE_SHARE))
        if size < 2:
            continue
        if c % 2 == 0:
            weights = np.exp(1.2 * z[eligible] + rng.normal(0, 0.8, len(eligible)))
            icp = rng.choice(eligible, size // 2, replace=False, p=weights / weights.sum())
            control = rng.choice(np.setdiff1d(eligible, icp), size - size // 2, replace=False)
            members = np.concatenate([icp, control])
            group = np.repeat(np.array(["icp", "control"], dtype=object), [len(icp), len(control)])
        else:
            members = rng.choice(eligible, size, replace=False)
            group = np.full(size, None, dtype=object)
        dates = sent + rng.integers(0, 3, len(members)).astype("timedelta64[D]")
        frames.append(
            pd.DataFrame(
                {
                    "campaign_id": campaigns[c],
                    "account_id": ids[members],
                    "sent_at": office_hours(rng, np.minimum(dates, REFERENCE_DATE)),
                    "responded": rng.random(len(members))
                    < sigmoid(RESPONSE_INTERCEPT + RESPONSE_SLOPE * z[members]),
                    "group": group,
                }
            )
        )
    columns = ["campaign_id", "account_id", "sent_at", "responded", "group"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
