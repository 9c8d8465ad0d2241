"""Disqualifiers and manual overrides change tiers and say why; unmatched overrides are reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from icp_pipeline.lib.icp.definition import IcpDefinition
from icp_pipeline.lib.icp.filters import FilterError
from icp_pipeline.lib.icp.overrides import apply_disqualifiers_and_overrides


@pytest.fixture
def features() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_key": ["acme.com", "globex.com", "initech.com", "crm:77", "umbrella.com"],
            "firmo__industry": ["software", "defense", "software", "retail", None],
            "firmo__country": ["US", "US", "KP", "GB", "US"],
            "tech__snowflake": [1.0, 0.0, 1.0, 0.0, np.nan],
        }
    )


@pytest.fixture
def targets() -> pd.DataFrame:
    # deliberately in another order than the features
    return pd.DataFrame(
        {
            "account_key": ["umbrella.com", "crm:77", "initech.com", "globex.com", "acme.com"],
            "crm_account_id": ["5", "77", "3", "2", "1"],
            "domain": ["umbrella.com", None, "initech.com", "globex.com", "acme.com"],
            "tier": ["Tier 3", "Tier 3", "Tier 1", "Tier 2", "Tier 2"],
            "disqualified_reason": [None] * 5,
        }
    )


def definition(**sections) -> IcpDefinition:
    return IcpDefinition.model_validate(sections)


def by_key(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index("account_key")


def test_disqualifiers_set_tier_and_reason_first_match_wins(targets, features):
    d = definition(
        disqualifiers=[
            {"id": "sanctions", "filter": "country in [KP, IR]", "reason": "sanctioned country"},
            {"id": "defense", "filter": "industry = defense or country = KP", "reason": "no defense sales"},
        ]
    )
    out, warnings = apply_disqualifiers_and_overrides(targets, features, d)
    o = by_key(out)
    assert o.loc["initech.com", "tier"] == "Disqualified"
    assert o.loc["initech.com", "disqualified_reason"] == "sanctioned country"  # first match wins
    assert o.loc["globex.com", "disqualified_reason"] == "no defense sales"
    assert o.loc[["acme.com", "crm:77", "umbrella.com"], "tier"].tolist() == ["Tier 2", "Tier 3", "Tier 3"]
    assert o["disqualified_reason"].notna().sum() == 2 and o["override_note"].isna().all()
    assert warnings == []
    assert targets["tier"].tolist() == ["Tier 3", "Tier 3", "Tier 1", "Tier 2", "Tier 2"]  # input untouched


def test_overrides_include_and_exclude_by_domain_or_account_id(targets, features):
    d = definition(
        disqualifiers=[{"id": "defense", "filter": "industry = defense", "reason": "no defense sales"}],
        overrides=[
            {
                "match": {"domain": "https://www.GLOBEX.com/about"},
                "action": "include",
                "tier": "Tier 2",
                "reason": "board-approved exception",
                "owner": "ceo",
            },
            {"match": {"account_id": "77"}, "action": "include", "reason": "strategic logo", "owner": "anna"},
            {"match": {"account_id": "1"}, "action": "exclude", "reason": "legal dispute", "owner": "legal"},
        ],
    )
    out, warnings = apply_disqualifiers_and_overrides(targets, features, d)
    o = by_key(out)
    assert warnings == []
    # include beats the disqualifier and clears its reason
    assert o.loc["globex.com", "tier"] == "Tier 2" and pd.isna(o.loc["globex.com", "disqualified_reason"])
    assert (
        o.loc["globex.com", "override_note"]
        == "override by ceo: include as Tier 2 (board-approved exception)"
    )
    assert o.loc["crm:77", "tier"] == "Tier 1"  # default include tier
    assert o.loc["acme.com", "tier"] == "Disqualified"
    assert o.loc["acme.com", "disqualified_reason"] == "excluded by legal: legal dispute"
    assert o.loc["acme.com", "override_note"].startswith("override by legal: exclude")
    assert pd.isna(o.loc["umbrella.com", "override_note"])


def test_unmatched_overrides_are_reported_not_ignored(targets, features):
    d = definition(
        overrides=[
            {"match": {"domain": "nowhere.org"}, "action": "include", "reason": "r", "owner": "bob"},
            {"match": {"account_id": "999"}, "action": "exclude", "reason": "r", "owner": "eve"},
        ]
    )
    out, warnings = apply_disqualifiers_and_overrides(targets, features, d)
    assert len(warnings) == 2
    assert "domain nowhere.org" in warnings[0] and "bob" in warnings[0] and "matched no" in warnings[0]
    assert "account_id 999" in warnings[1]
    assert out["tier"].tolist() == targets["tier"].tolist()


def test_unknown_attribute_in_a_disqualifier_raises(targets, features):
    d = definition(disqualifiers=[{"id": "x", "filter": "uses oracle", "reason": "r"}])
    with pytest.raises(FilterError, match="oracle"):
        apply_disqualifiers_and_overrides(targets, features, d)


def test_accepts_any_object_with_the_sections(targets, features):
    class Cfg:
        disqualifiers = [{"id": "kp", "filter": "country = KP", "reason": "sanctions"}]
        overrides = []

    out, _ = apply_disqualifiers_and_overrides(targets, features, Cfg())
    assert by_key(out).loc["initech.com", "tier"] == "Disqualified"


def test_domain_overrides_match_targets_whose_domain_is_not_normalised(features):
    targets = pd.DataFrame(
        {
            "account_key": ["acme.com", "crm:9", "beta.io"],
            "crm_account_id": ["1", "9", "2"],
            "domain": ["acme.com", "https://WWW.Initech.com/about", None],
            "tier": ["Tier 3"] * 3,
        }
    )
    d = definition(
        overrides=[
            {"match": {"domain": "initech.com"}, "action": "include", "reason": "r", "owner": "o"},
            {"match": {"domain": "www.beta.io"}, "action": "exclude", "reason": "r", "owner": "o"},
        ]
    )
    out, warnings = apply_disqualifiers_and_overrides(targets, features, d)
    assert out["tier"].tolist() == ["Tier 3", "Tier 1", "Disqualified"] and warnings == []


def test_settling_by_feature_rows_equals_joining_by_key(targets, features):
    from icp_pipeline.lib.icp.overrides import settle_tiers

    d = definition(
        disqualifiers=[{"id": "kp", "filter": "country = KP or industry = defense", "reason": "sanctions"}],
        overrides=[{"match": {"account_id": "77"}, "action": "exclude", "reason": "r", "owner": "o"}],
    )
    joined, _ = apply_disqualifiers_and_overrides(targets, features, d)
    rows = pd.Index(features["account_key"]).get_indexer(targets["account_key"])
    tier = targets["tier"].to_numpy(dtype=object, copy=True)
    reason = targets["disqualified_reason"].astype(object).to_numpy(copy=True)
    notes, warnings = settle_tiers(targets, features, d, tier, reason, feature_rows=rows)

    def same(array: np.ndarray, column: pd.Series) -> bool:  # missing as None or NaN alike
        return (
            pd.Series(array, dtype=object).where(pd.notna(array), None).tolist()
            == column.astype(object).where(column.notna(), None).tolist()
        )

    assert tier.tolist() == joined["tier"].tolist() and warnings == []
    assert same(reason, joined["disqualified_reason"]) and same(notes, joined["override_note"])


def test_an_override_by_the_18_character_salesforce_id_matches_its_15_character_account(targets, features):
    # the mart keys 001D000000IqhSLIAZ (case-safe form) as 001D000000IqhSL (dbt macro crm_account_id)
    targets = targets.assign(crm_account_id=["001D000000IqhSL", "77", "3", "2", "1"])
    d = definition(
        overrides=[
            {
                "match": {"account_id": "001D000000IqhSLIAZ"},
                "action": "exclude",
                "reason": "r",
                "owner": "eve",
            },
            # same 15 characters, wrong checksum: another id, which matches no account
            {
                "match": {"account_id": "001D000000IqhSLXYZ"},
                "action": "include",
                "reason": "r",
                "owner": "bob",
            },
        ]
    )
    out, warnings = apply_disqualifiers_and_overrides(targets, features, d)
    o = by_key(out)
    assert o.loc["umbrella.com", "tier"] == "Disqualified"
    assert o.loc["umbrella.com", "disqualified_reason"] == "excluded by eve: r"
    assert (out["tier"] == "Disqualified").sum() == 1
    assert len(warnings) == 1 and "001D000000IqhSLXYZ" in warnings[0] and "matched no" in warnings[0]
