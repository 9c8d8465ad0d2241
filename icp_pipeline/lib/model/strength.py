"""How strong the model behind the scores is, read from the model card, and the sentence that says so.

The model stage writes `model.model_card` (published as `icp.model_card`): one row per refresh with
`value_model` (the model that scored the list), `strength` (`strong`, `moderate`, `weak` or
`none`, by the rule documented with that table) and a one-sentence `verdict`. Warehouses built
before the card existed have no such table: then nothing is said and tiers follow the scores.

When the strength is `weak` or `none`, the run summary, the report and the CRM import file state it
first (`caution_sentence`); when it is `none`, the tiers follow the team's rules from `icp.yaml`
(`icp_pipeline.lib.icp.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from icp_pipeline.lib.warehouse.connection import table_exists

WEAK = ("weak", "none")
# The strength as the end of a sentence about the model ("the model ... is weak"): `none` is a
# rating, not an adjective ("the model is none" says nothing).
STRENGTH_WORDS = {
    "strong": "is strong",
    "moderate": "is moderate",
    "weak": "is weak",
    "none": "shows no evidence that it ranks accounts (strength none)",
}
_ORDER_COLUMNS = ("refreshed_at", "published_at", "trained_at", "created_at")


@dataclass(frozen=True)
class ModelStrength:
    strength: str
    verdict: str
    value_model: str | None = None
    tiers_by_rules: bool = False  # the published tiers follow icp.yaml's rules (strength none)


def read_model_strength(con: duckdb.DuckDBPyConnection, schemas=("icp", "model")) -> ModelStrength | None:
    """The latest model card row of the first of `schemas` that has `model_card` (None without one)."""
    for schema in schemas:
        if not table_exists(con, schema, "model_card"):
            continue
        columns = [r[0] for r in con.execute(f"describe {schema}.model_card").fetchall()]
        if "strength" not in columns:
            continue
        order = next((c for c in _ORDER_COLUMNS if c in columns), None)
        order_by = f"{order} desc nulls last, rowid desc" if order else "rowid desc"
        pick = [c if c in columns else "null" for c in ("strength", "verdict", "value_model")]
        row = con.execute(
            f"select {', '.join(pick)} from {schema}.model_card order by {order_by} limit 1"
        ).fetchone()
        if row is None or row[0] is None:
            return None
        strength = str(row[0]).strip().lower()
        return ModelStrength(strength, str(row[1] or "").strip(), row[2], tiers_by_rules=strength == "none")
    return None


def tiers_followed_rules(con: duckdb.DuckDBPyConnection) -> bool | None:
    """Whether the last published refresh tiered by the icp.yaml rules (None when not recorded)."""
    if not table_exists(con, "icp", "refresh_history"):
        return None
    if "tier_basis" not in {r[0] for r in con.execute("describe icp.refresh_history").fetchall()}:
        return None
    row = con.execute(
        "select tier_basis from icp.refresh_history order by refreshed_at desc limit 1"
    ).fetchone()
    return None if row is None or row[0] is None else row[0] == "icp.yaml rules"


def caution_sentence(strength: ModelStrength | None, rules_used: bool | None = None) -> str | None:
    """One plain sentence when the model is weak or none (None otherwise): its strength, its verdict
    and what the tiers follow. `rules_used`: whether the tiers really followed the icp.yaml rules
    (default: when the strength is none)."""
    if strength is None or strength.strength not in WEAK:
        return None
    rules = strength.tiers_by_rules if rules_used is None else rules_used
    verdict = strength.verdict.strip().rstrip(".")
    label = f"{strength.strength}:"
    if verdict.lower().startswith(label):  # the card's verdict may open with its own strength
        verdict = verdict[len(label) :].strip()
        verdict = verdict[:1].upper() + verdict[1:]
    from icp_pipeline.lib.model.card import LABEL, explain_once  # the model's name in words, not its code

    model = f", {LABEL.get(strength.value_model, strength.value_model)}," if strength.value_model else ""
    first = f"Caution: the model behind these scores{model} {STRENGTH_WORDS[strength.strength]}." + (
        f" {verdict}." if verdict else ""
    )
    first = explain_once(first)  # the verdict names the model again: its explanation once
    if rules:
        return first + (
            " The tiers therefore follow the team's rules in icp.yaml (accounts matching more of its "
            "hypotheses first, then by score), not the model."
        )
    if strength.strength == "none":
        return (
            first + " icp.yaml has no testable hypothesis to rank by, so the tiers still follow the scores."
        )
    if verdict:  # the card's verdict already says what to make of the tiers
        return first
    return first + " Treat the tiers as a rough ordering and check them against what the team knows."
