"""The ICP in brief: the traits of `icp.icp_profile` that set the best customers apart with
statistical support (`in_brief`, lib/icp/support.py), in the model's order, at most 12."""

from __future__ import annotations

import pandas as pd

from icp_pipeline.lib.publish.words import agree, count

from .formatting import Labels, esc, in_words

MAX_TRAITS = 12


def brief_traits(profile: pd.DataFrame) -> pd.DataFrame:
    """The profile rows of the brief (none when the profile predates `in_brief`)."""
    if profile.empty or "in_brief" not in profile:
        return profile.iloc[0:0]
    rows = profile[profile["in_brief"].fillna(False).astype(bool)]
    return rows.sort_values("rank", na_position="last", kind="stable").head(MAX_TRAITS)


def brief_html(profile: pd.DataFrame, labels: Labels | None = None) -> str:
    traits = brief_traits(profile)
    tested = len(profile)
    if traits.empty:
        return (
            f"<p>No trait of the {count(tested, 'trait')} tested sets the best customers apart with statistical support "
            "(a 90 % interval of the difference that excludes no difference, at least 5 customers): "
            "the data do not show a distinct profile yet.</p>"
        )
    labels = labels or Labels()
    items = "".join(f"<li>{esc(in_words(line, labels))}</li>" for line in traits["brief_line"])
    n_best = int(profile["best_customers"].iloc[0]) if "best_customers" in profile else 0
    return (
        f"<ul class='brief'>{items}</ul><p class='muted'>Best customers: the top quarter by value "
        f"({count(n_best, 'customer')}). {len(traits)} of the {count(tested, 'trait')} tested "
        f"{agree(len(traits), 'differs', 'differ')} from other accounts "
        "with statistical support (90 % interval of the difference in share above zero).</p>"
    )
