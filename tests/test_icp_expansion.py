"""The expansion list ranks customers by what they are likely to add and never rewards a loss."""

from __future__ import annotations

import numpy as np
import pandas as pd

from icp_pipeline.lib.icp.expansion import BY_REALISED, HEADROOM, LOSS_MAKING, NO_HEADROOM, rank_expansion


def _customers() -> pd.DataFrame:
    # a flat (weak) model predicts ~1,000 for everybody, as on the AWS export
    return pd.DataFrame(
        {
            "account_key": ["loss_big", "loss_small", "best", "good", "small", "tie_a", "tie_b"],
            "predicted_ltv": [1000.0, 1000.0, 1000.0, 1000.0, 1000.0, 1200.0, 1200.0],
            "realised_value": [-5000.0, -10.0, 9000.0, 1500.0, 200.0, 200.0, 200.0],
            "expected_value": [900.0, 900.0, 900.0, 900.0, 900.0, 500.0, 800.0],
        }
    )


def test_losses_never_raise_headroom_and_rank_last():
    out = rank_expansion(_customers()).set_index("account_key")
    # before: headroom = predicted - realised = 6,000 put the biggest loss first
    # the loss counts as 0: headroom is the prediction, not prediction + loss (6,000)
    assert out.loc["loss_big", "headroom"] == 1000.0 and out.loc["loss_big", "expansion_basis"] == LOSS_MAKING
    assert out.loc[["loss_small", "loss_big"], "expansion_rank"].tolist() == [6, 7]


def test_headroom_first_then_the_best_customers_then_losses():
    out = rank_expansion(_customers())
    assert out["account_key"].tolist() == [
        "tie_b",
        "tie_a",
        "small",
        "best",
        "good",
        "loss_small",
        "loss_big",
    ]
    assert out["headroom"].tolist() == [1000.0, 1000.0, 800.0, 0.0, 0.0, 1000.0, 1000.0]
    assert out["expansion_basis"].tolist() == [HEADROOM] * 3 + [NO_HEADROOM] * 2 + [LOSS_MAKING] * 2
    assert out["expansion_rank"].tolist() == list(range(1, 8))


def test_ties_go_to_expected_value_not_to_the_name():
    out = rank_expansion(_customers())
    # tie_a and tie_b have the same headroom; tie_b has the higher expected value
    assert out["account_key"].tolist()[:2] == ["tie_b", "tie_a"]
    assert np.isfinite(out["headroom"]).all()


def test_a_weak_model_s_headroom_does_not_order_the_list_realised_value_does():
    """Model weak or none: its headroom is withheld, so it must not choose the first rows either
    (Maven: a Tier 3 account ranked 1st by a weak model's headroom); realised value orders the list,
    losses still last."""
    out = rank_expansion(_customers(), use_headroom=False)
    assert out["account_key"].tolist() == [
        "best",
        "good",
        "small",  # realised 200 each: ties by expected value (900, 800, 500)
        "tie_b",
        "tie_a",
        "loss_small",
        "loss_big",
    ]
    assert (out.loc[out["realised_value"] >= 0, "expansion_basis"] == BY_REALISED).all()
    assert (out.loc[out["realised_value"] < 0, "expansion_basis"] == LOSS_MAKING).all()
