"""The closing summary of a refresh: tier counts, top accounts and output locations."""

from __future__ import annotations

from icp_pipeline.lib.dropped_values import dropped_values
from icp_pipeline.lib.landing.quarantine import KIND_WORDS, set_aside_by_table
from icp_pipeline.lib.settings import Settings
from icp_pipeline.lib.warehouse import connect, table_exists


def print_summary(settings: Settings, top_n: int = 5) -> None:
    with connect(settings.duckdb_path, read_only=True) as con:
        tiers = con.execute(
            "select tier, sum(accounts) filter (not is_customer), sum(accounts) filter (is_customer), "
            "sum(total_expected_value) filter (not is_customer) from icp.tier_summary "
            "group by tier order by tier"
        ).fetchall()
        top = con.execute(
            "select account_name, domain, icp_score, top_reasons from icp.target_accounts "
            "where tier = 'Tier 1' order by icp_score desc, account_key limit ?",
            [top_n],
        ).fetchall()
        set_aside = set_aside_by_table(con)
        skipped = (
            con.execute(
                "select name, detail from icp.data_coverage where area = 'capability' and not available"
            ).fetchall()
            if table_exists(con, "icp", "data_coverage")
            else []
        )
        dropped = dropped_values(con)
        dialects = (  # docs/connectors/
            con.execute("select name, detail from icp.data_coverage where area = 'source_dialect'").fetchall()
            if table_exists(con, "icp", "data_coverage")
            else []
        )
    print("\nTier summary (prospects are tiered; customers are shown where their score places them)")
    print(f"  {'tier':<14}{'prospects':>10}{'customers':>11}{'prospect expected value':>26}")
    for tier, prospects, customers, value in tiers:
        print(f"  {tier:<14}{prospects or 0:>10,}{customers or 0:>11,}{value or 0:>26,.0f}")
    if top:
        print(f"\nTop {len(top)} Tier 1 accounts")
        for name, domain, score, reasons in top:
            print(f"  {score:5.1f}  {name or domain}  ({reasons})")
    if dialects:
        print("\nSource dialects (see icp.data_coverage, docs/connectors/)")
        for name, detail in dialects:
            print(f"  {name}: {detail}")
    if skipped:
        print("\nNot computed from this data (see icp.data_coverage)")
        for name, detail in skipped:
            print(f"  {name}: {detail}")
    if set_aside:
        print("\nSet aside or repaired while loading (raw._quarantine, raw._landing_loads.set_aside)")
        for table, counts in set_aside.items():
            for kind, n in sorted(counts.items()):
                print(f"  {table:<28}{n:>10,}  {KIND_WORDS.get(kind, kind)}")
    if dropped:
        print("\nLeft out or changed by the models (see marts.dropped_values)")
        for table, reason, outcome, n, _ in dropped:
            print(f"  {table}: {n:,} {reason} ({outcome})")
    print("\nOutputs")
    print(f"  warehouse : {settings.duckdb_path}  (schema icp, e.g. select * from icp.target_accounts)")
    print(f"  exports   : {settings.export_dir}")
    print(f"  report    : {settings.export_dir / 'icp_report.html'}")
