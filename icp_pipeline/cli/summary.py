"""The closing summary of a refresh: a caution first when the model is weak, tier counts, the top
prospects (customers only when there are no prospects: an expansion list) and output locations."""

from __future__ import annotations

import math

from icp_pipeline.lib.config.settings import Settings
from icp_pipeline.lib.landing.quarantine import KIND_WORDS, set_aside_by_table
from icp_pipeline.lib.model.labels import humanize, reporting_currency
from icp_pipeline.lib.model.strength import caution_sentence, read_model_strength, tiers_followed_rules
from icp_pipeline.lib.publish.tier_money import tier_money_lines
from icp_pipeline.lib.publish.words import count, with_count
from icp_pipeline.lib.quality.dropped_values import dropped_values
from icp_pipeline.lib.warehouse.connection import connect, table_exists


def print_summary(settings: Settings, top_n: int = 5) -> None:
    with connect(settings.duckdb_path, read_only=True) as con:
        tiers = con.execute(
            "select tier, sum(accounts) filter (not is_customer), sum(accounts) filter (is_customer), "
            "sum(total_expected_value) filter (not is_customer) from icp.tier_summary "
            "group by tier order by tier"
        ).fetchall()
        money = tier_money_lines(con, currency=reporting_currency(con))
        caution = caution_sentence(read_model_strength(con), tiers_followed_rules(con))
        currency = reporting_currency(con)
        has_prospects = con.execute("select bool_or(not is_customer) from icp.target_accounts").fetchone()[0]
        # Ties of the listing's own order (score, then expected value): only those fall to the key.
        n_accounts, tied = con.execute(
            "with t as (select icp_score, expected_value from icp.target_accounts "
            "where tier = 'Tier 1' and is_customer = ? "
            "order by icp_score desc, expected_value desc nulls last limit 1) "
            "select (select count(*) from icp.target_accounts), "
            "(select count(*) from icp.target_accounts a, t where a.tier = 'Tier 1' and a.is_customer = ? "
            "and a.icp_score is not distinct from t.icp_score "
            "and a.expected_value is not distinct from t.expected_value)",
            [not has_prospects, not has_prospects],
        ).fetchone()
        top = con.execute(
            "select account_name, domain, icp_score, top_reasons from icp.target_accounts "
            "where tier = 'Tier 1' and is_customer = ? "
            "order by icp_score desc, expected_value desc nulls last, account_key limit ?",
            [not has_prospects, top_n],
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
    if caution:
        print(f"\n{caution}")
    print("\nTier summary (prospects are tiered; customers are shown where their score places them)")
    value_heading = f"prospect expected value ({currency})" if currency else "prospect expected value"
    print(f"  {'tier':<14}{'prospects':>10}{'customers':>11}{value_heading:>32}")
    for tier, prospects, customers, value in tiers:
        # a tier without prospects has no prospect value: '–', not a sum of nothing printed as 0;
        # a weak model's value is withheld (icp.tier_summary.money_basis), not printed as money
        shown = ("withheld" if money.withheld else f"{value or 0:,.0f}") if prospects else "–"
        print(f"  {tier:<14}{prospects or 0:>10,}{customers or 0:>11,}{shown:>32}")
    for line in money.lines:
        print(f"  {line}")
    if top:
        who = "prospects" if has_prospects else "customers (no prospects: an expansion list)"
        print(f"\nTop {len(top)} Tier 1 {who}")
        decimals = max(1, math.ceil(-math.log10(100.0 / max(n_accounts - 1, 1))))
        for name, domain, score, reasons in top:
            print(f"  {score:5.{decimals}f}  {name or domain}  ({reasons})")
        if tied > 1:
            print(
                f"  ({tied:,} Tier 1 {who.split(' ')[0]} share the top expected value: the scores cannot "
                "order them, so they are listed by account key)"
            )
    if dialects:
        print("\nSource dialects (see icp.data_coverage, docs/connectors/)")
        for name, detail in dialects:
            print(f"  {name}: {detail}")
    if skipped:
        print("\nNot computed from this data (see icp.data_coverage)")
        for name, detail in skipped:  # the capability in words, not its code
            print(f"  {humanize(name)}: {detail}")
    if set_aside:
        print("\nSet aside or repaired while loading (raw._quarantine, raw._landing_loads.set_aside)")
        for table, counts in set_aside.items():
            for kind, n in sorted(counts.items()):
                words = with_count(n, KIND_WORDS.get(kind, kind.replace("_", " "))).split(" ", 1)[1]
                print(f"  {table:<28}{n:>10,}  {words}")
    if dropped:
        print("\nLeft out or changed by the models (see marts.dropped_values)")
        for table, reason, outcome, n, detail in dropped:  # the reason in words, not its code
            print(f"  {table}: {count(n, 'row')} {outcome}: {detail or reason.replace('_', ' ')}")
    print("\nOutputs")
    print(f"  warehouse : {settings.duckdb_path}  (schema icp, e.g. select * from icp.target_accounts)")
    print(f"  exports   : {settings.export_dir}")
    print(f"  report    : {settings.export_dir / 'icp_report.html'}")
