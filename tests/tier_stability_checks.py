"""Checks shared by the tier-stability tests (issue 14, section 3): Tier 1's share within the
policy's tolerance, and every tier-change reason of the second refresh true."""

from __future__ import annotations

from tests.pipeline_harness import PipelineRun


def tier1_share_within_tolerance(run: PipelineRun, policy) -> None:
    targets = run.query("select tier, is_customer from icp.target_accounts")
    pool = targets if not (~targets["is_customer"]).any() else targets[~targets["is_customer"]]
    pool = pool[pool["tier"] != "Disqualified"]
    share = (pool["tier"] == "Tier 1").mean()
    allowed = max(policy.share_tolerance * policy.tier1_share, 1 / len(pool))
    assert abs(share - policy.tier1_share) <= allowed + 1e-9, (share, len(pool))


def assert_reasons_are_true(run: PipelineRun) -> None:
    history = run.query("select * from icp.refresh_history order by refreshed_at")
    assert len(history) == 2
    before, now = history.iloc[0], history.iloc[1]
    changes = run.query("select * from icp.tier_changes where changed")
    reasons = changes["change_reason"].astype(str)
    assert not reasons.str.contains("cut-off moved").any()
    if bool(now["thresholds_frozen"]):
        assert now["tier1_cutoff_relative"] == before["tier1_cutoff_relative"]
        assert not reasons.str.contains("rebaselined").any()
        accounts = run.query("select account_key, expected_value from icp.target_accounts")
        merged = changes.merge(accounts, on="account_key")
        rose = merged["change_reason"].str.contains("rose above the frozen")
        fell = merged["change_reason"].str.contains("fell below the frozen")
        # a promotion names a value that rose, a demotion one that fell: check the numbers it quotes
        for reason, up in [(r, True) for r in merged.loc[rose, "change_reason"]] + [
            (r, False) for r in merged.loc[fell, "change_reason"]
        ]:
            values = reason.split("expected value ", 1)[1].split(" the median", 1)[0]
            a, b = (float(v.rstrip("×")) for v in values.split("→"))
            assert (b > a) if up else (b < a), reason
    else:
        assert isinstance(now["rebaseline_reason"], str) and now["rebaseline_reason"]
        moved = reasons[~reasons.isin(["new account", "dropped from data"])]
        assert moved.str.startswith(f"cut-offs rebaselined ({now['rebaseline_reason']})").all()
