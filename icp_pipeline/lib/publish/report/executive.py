"""The executive page: the model's verdict in one sentence, the tiers with their play and the capacity
they imply, the top 25 accounts with reasons in words, what changed since the last refresh and the
data coverage in one line."""

from __future__ import annotations

import math

import pandas as pd

from icp_pipeline.lib.model.strength import caution_sentence
from icp_pipeline.lib.publish.tier_money import money_withheld_reason
from icp_pipeline.lib.publish.words import agree, count

from .data import ReportData
from .formatting import esc, format_money, format_number, in_words, pct, table

# What each strength means for using the list (docs/model-card.md has the rule behind each).
# The simple baselines are a linear model and a count of attributes above the customer median
# (lib/model/card.py): "simple baselines", not "simple rules", which would name only one of them.
MEANING = {
    "strong": "work the list top-down: Tier 1 accounts are worth markedly more than the rest, "
    "and the ranking beats the simple baselines with statistical support.",
    "moderate": "use the tiers to prioritise, but let reps judge within a tier: the ranking works "
    "but is not clearly ahead of the simple baselines or has a wide margin of error.",
    "weak": "treat the list as a hint, not a plan: the scores are not clearly better than simple baselines.",
    "none": "do not rank by the scores: there is no evidence they beat chance, so the tiers follow "
    "the team's rules in icp.yaml.",
}
PLAYS = {
    "Tier 1": "Sales-led: named account owners, personal outreach",
    "Tier 2": "Marketing-led: targeted campaigns, hand to sales on engagement",
    "Tier 3": "Inbound only: respond when they come to us",
    "Disqualified": "No play: excluded by a disqualifier or an override",
}
ACCOUNTS_PER_REP = 50  # icp.yaml tiers.accounts_per_rep's default: the capacity a Tier 1 list implies


def verdict_sentence(data: ReportData) -> str:
    """'The evidence behind this list is strong: work the list top-down ...' plus the card's own
    verdict; a plain statement when there is no model card."""
    strength = data.strength
    if strength is None:
        return "No model card was published with this refresh: how far to trust the ranking is unknown."
    level = strength.strength if strength.strength in MEANING else "weak"
    meaning = MEANING[level][:1].upper() + MEANING[level][1:]  # its own sentence: one colon per sentence
    if level == "none":  # 'none' is a rating, not an adjective: "the evidence ... is none" says nothing
        return f"There is no evidence behind this list's ranking. {meaning}"
    return f"The evidence behind this list is {level}. {meaning}"


def card_verdict(data: ReportData) -> str:
    """The model card's own verdict without a leading '<strength>:' (the sentence above says it)."""
    if data.strength is None or not data.strength.verdict:
        return ""
    verdict = data.strength.verdict.strip()
    prefix = f"{data.strength.strength}:"
    if verdict.lower().startswith(prefix):
        verdict = verdict[len(prefix) :].strip()
    return in_words(verdict[:1].upper() + verdict[1:], data.labels)


def verdict_html(data: ReportData) -> str:
    level = data.strength.strength if data.strength else "unknown"
    parts = [f"<p class='verdict-line {esc(level)}' id='verdict'>{esc(verdict_sentence(data))}</p>"]
    if card_verdict(data) and not caution_sentence(data.strength, data.rules_used):  # the caution quotes it
        parts.append(f"<p class='muted'>{esc(card_verdict(data))}</p>")
    return "".join(parts)


def caution_html(data: ReportData) -> str:
    """The model-strength caution (weak or none), shown first on the page; empty otherwise."""
    caution = caution_sentence(data.strength, data.rules_used)
    return f"<p class='caution'>{esc(in_words(caution, data.labels))}</p>" if caution else ""


def tier_table(data: ReportData, accounts_per_rep: int = ACCOUNTS_PER_REP) -> pd.DataFrame:
    """One row per tier of the ranked accounts (prospects, or customers when there are none):
    accounts, share, expected value with its currency, the play and the capacity it implies."""
    tiers = data.tiers
    if tiers.empty:
        return pd.DataFrame()
    ranked = tiers[tiers["is_customer"].astype(bool) != data.has_prospects]
    total = int(ranked["accounts"].sum())
    rated = f" ({data.strength.strength})" if data.strength is not None else ""
    withheld_text = f"withheld: the model{rated} is not evidence of money"
    rows = []
    for tier in ["Tier 1", "Tier 2", "Tier 3", "Disqualified"]:
        part = ranked[ranked["tier"] == tier]
        n = int(part["accounts"].sum()) if len(part) else 0
        if n == 0 and tier == "Disqualified":
            continue
        withheld = "total_expected_value" in part and len(part) and part["total_expected_value"].isna().all()
        value = float(part["total_expected_value"].sum()) if len(part) else 0.0
        if tier == "Tier 1":
            reps = math.ceil(n / accounts_per_rep)
            capacity = f"{count(reps, 'rep')} at {count(accounts_per_rep, 'account')} each"
        elif tier == "Tier 2":
            capacity = f"{count(n, 'account')} in campaigns"
        else:
            capacity = "no outbound effort"
        rows.append(
            {
                "Tier": tier,
                "Accounts": f"{n:,}",
                "Share": pct(n / total if total else float("nan")),
                "Expected value": withheld_text if withheld else format_money(value, data.currency),
                "Per account": "" if withheld or not n else format_money(value / n, data.currency),
                "Play": PLAYS[tier],
                "Capacity it implies": capacity,
                "Customers' observed value": observed_value_text(part, data.currency),
            }
        )
    return pd.DataFrame(rows)


def observed_value_text(part: pd.DataFrame, currency: str | None) -> str:
    """'12,300 USD per customer (90 % interval 9,800–15,100 USD; n = 14)' from a tier's rows of
    icp.tier_summary (`tier_money`), or where it is missing why ('no customer with a value')."""
    if "customers_with_value" not in part or not len(part):
        return ""
    row = part.iloc[0]
    n = int(row["customers_with_value"]) if pd.notna(row["customers_with_value"]) else 0
    if n == 0:
        return "no customer with a value"
    text = f"{format_money(row['observed_value_per_customer'], currency)} per customer"
    low, high = row["observed_value_low"], row["observed_value_high"]
    interval = (
        f"90 % interval {format_number(low)}–{format_money(high, currency)}; "
        if pd.notna(low) and pd.notna(high)
        else ""
    )
    return f"{text} ({interval}n = {n:,})"


def top_accounts(data: ReportData) -> pd.DataFrame:
    """The top 25 ranked prospects with their reasons in words; without prospects, the first 25 of
    the expansion list (icp.expansion_accounts, in expansion_rank order)."""
    top = data.targets
    if top.empty:
        return pd.DataFrame()
    money = lambda v: format_money(v, data.currency)  # noqa: E731
    frame = {
        "#": range(1, len(top) + 1),
        "Account": top["account_name"].fillna(top["domain"]).fillna(top["account_key"]),
        "Tier": top["tier"].fillna(""),
        "ICP score": top["icp_score"].map(lambda s: "" if pd.isna(s) else f"{s:.2f}"),
    }
    withheld = money_withheld_reason(data.strength) is not None  # a weak model's estimate is not money
    if "headroom" in top:
        frame["Value so far"] = top["realised_value"].map(money)  # observed: shown whatever the model
        if not withheld:  # headroom = the model's predicted value minus the value so far
            frame["Headroom"] = top["headroom"].map(money)
    elif not withheld:
        frame["Expected value"] = top["expected_value"].map(money)
    frame["Why"] = top["top_reasons"].fillna("").str.replace("; ", " · ", regex=False)
    return pd.DataFrame(frame)


def changes_html(data: ReportData, limit: int = 10) -> str:
    """What changed since the last refresh (icp.tier_changes): counts by move and the first accounts."""
    moved = data.changes
    if data.first_refresh:  # every account is new: "no account changed tier" would claim a comparison
        return "<p>This is the first refresh: there is no earlier list to compare with.</p>"
    if moved.empty:
        return "<p>No account changed tier since the last refresh.</p>"
    order = {"Tier 1": 1, "Tier 2": 2, "Tier 3": 3, "Disqualified": 4}
    prev = moved["previous_tier"].map(order)
    new = moved["new_tier"].map(order)
    up, down = int((new < prev).sum()), int((new > prev).sum())
    new_accounts, dropped = int(moved["previous_tier"].isna().sum()), int(moved["new_tier"].isna().sum())
    counts = [
        f"{count(len(moved), 'account')} changed tier since the last refresh: {up:,} moved up, "
        f"{down:,} moved down"
    ]
    if new_accounts:
        counts.append(f"{new_accounts:,} {agree(new_accounts, 'is', 'are')} new")
    if dropped:
        counts.append(f"{dropped:,} left the list")
    shown = moved.head(limit)
    frame = pd.DataFrame(
        {
            "Account": shown["account_name"].fillna(shown["account_key"]),
            "From": shown["previous_tier"].fillna("new"),
            "To": shown["new_tier"].fillna("left the list"),
            "Why": shown["change_reason"].fillna("").map(lambda t: in_words(t, data.labels)),
        }
    )
    return f"<p>{esc(', '.join(counts))}.</p>" + table(frame)


def coverage_line(data: ReportData) -> str:
    """Data coverage in one line: landing tables loaded, capabilities computed and those skipped."""
    coverage = data.coverage
    if coverage.empty:
        return "Data coverage was not recorded for this refresh."
    tables = coverage[coverage["area"] == "landing_table"]
    caps = coverage[coverage["area"] == "capability"]
    loaded = int(tables["available"].astype(bool).sum())
    missing = caps.loc[~caps["available"].astype(bool), "name"].str.replace("_", " ").tolist()
    line = (
        f"{loaded} of {count(len(tables), 'landing table')} had data; "
        f"{int(caps['available'].astype(bool).sum())} of {count(len(caps), 'capability', 'capabilities')} "
        "could be computed"
    )
    if missing:
        line += f" (not: {', '.join(missing)})"
    return line + "."
