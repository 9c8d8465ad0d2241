"""What a data-quality check found, in one line a person reads (e.g. "domain null for 85 accounts")."""

from __future__ import annotations

from collections.abc import Sequence

from icp_pipeline.lib.quality.gx_validate import ExpectationOutcome

# GX expectation type -> what an unexpected value is, for a column.
_FOUND = {
    "expect_column_values_to_not_be_null": "{column} null for {n}",
    "expect_column_values_to_be_unique": "{column} repeated in {n}",
    "expect_column_values_to_be_in_set": "{column} outside its allowed values in {n}",
    "expect_column_values_to_be_between": "{column} out of range in {n}",
}


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun if n != 1 else noun.removesuffix('s')}"


def found_text(outcome: ExpectationOutcome, noun: str = "rows") -> str:
    """One failed expectation in words: what, in which column, how many `noun`, up to 3 examples."""
    template = _FOUND.get(outcome.expectation)
    if template is None or outcome.column is None:
        text = outcome.describe()
    else:
        text = template.format(column=outcome.column, n=_count(outcome.unexpected_count, noun))
        examples = [e for e in outcome.examples[:3] if e not in ("None", "nan")]
        if examples and outcome.expectation != "expect_column_values_to_not_be_null":
            text += f" (e.g. {', '.join(examples)})"
    return text


def outcomes_text(
    outcomes: Sequence[ExpectationOutcome], noun: str = "rows", rows: tuple[int, int] | None = None
) -> str:
    """The failed expectations of a check in one line, or that all were met; `rows` = (validated,
    in table): when fewer were validated, the counts are said to come from that sample."""
    failed = [o for o in outcomes if not o.success]
    if not outcomes:
        return "No expectation applies to the columns present."
    if not failed:
        text = f"All {len(outcomes)} expectations met"
    else:
        text = "; ".join(found_text(o, noun) for o in failed)
    if rows is not None and rows[0] < rows[1]:
        text += f" (on a sample of {rows[0]:,} of {rows[1]:,} {noun})"
    return text + "."
