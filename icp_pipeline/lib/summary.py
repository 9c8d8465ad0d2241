"""The closing summary of a refresh: tier counts, top accounts and output locations."""

from __future__ import annotations

from icp_pipeline.lib.settings import Settings
from icp_pipeline.lib.warehouse import connect


def print_summary(settings: Settings, top_n: int = 5) -> None:
    with connect(settings.duckdb_path, read_only=True) as con:
        tiers = con.execute(
            "select tier, count(*) as accounts, round(avg(icp_score), 1) as avg_score, "
            "round(sum(expected_value)) as expected_value from icp.target_accounts "
            "group by tier order by tier"
        ).fetchall()
        top = con.execute(
            "select account_name, domain, icp_score, top_reasons from icp.target_accounts "
            "where tier = 'Tier 1' order by icp_score desc, account_key limit ?",
            [top_n],
        ).fetchall()
    print("\nTier summary")
    print(f"  {'tier':<14}{'accounts':>10}{'avg score':>11}{'expected value':>17}")
    for tier, n, score, value in tiers:
        print(f"  {tier or 'customer':<14}{n:>10,}{score or 0:>11}{value or 0:>17,.0f}")
    if top:
        print(f"\nTop {len(top)} Tier 1 accounts")
        for name, domain, score, reasons in top:
            print(f"  {score:5.1f}  {name or domain}  ({reasons})")
    print("\nOutputs")
    print(f"  warehouse : {settings.duckdb_path}  (schema icp, e.g. select * from icp.target_accounts)")
    print(f"  exports   : {settings.export_dir}")
    print(f"  report    : {settings.export_dir / 'icp_report.html'}")
