"""Check the ICP config's filters against the feature mart before a step relies on them.

Filter syntax is checked when the config is loaded; whether the attributes exist can only be checked
once `marts.account_features` is built. The model and publish steps call `check_config_filters`
first, so a typo (`uses snowflak`, `employe_count > 5`) fails the run at once, with the closest
attribute names, instead of silently giving an "inconclusive" hypothesis or skipping a disqualifier.

One exception keeps a generic config usable on one's own data: a hypothesis naming an attribute the
data do not have, and that resembles none they have (no technographics landed, so no `uses
snowflake`; no `zodiac_sign` column), is reported as a warning and published with the verdict "not
testable on this data". A near-miss of an existing attribute stays an error with the suggestion (a
typo must not pass silently), and a disqualifier never is let through: an account that must not be
sold to cannot be let through.
"""

from __future__ import annotations

from icp_pipeline.lib.icp.filters import FilterError, _columns_of, _walk, parse_filter
from icp_pipeline.lib.icp.hypotheses import untestable
from icp_pipeline.lib.icp_config import IcpConfigError


def filter_problems_and_warnings(config, columns) -> tuple[list[str], list[str]]:
    """(fatal problems, warnings) for the hypothesis and disqualifier filters of `config`."""
    columns = [str(c) for c in columns]
    problems: list[str] = []
    warnings: list[str] = []
    for section in ("hypotheses", "disqualifiers"):
        for item in getattr(config, section, []) or []:
            try:
                node = parse_filter(item.filter)
            except FilterError as exc:  # already refused at load time; kept for configs built in code
                problems.append(f"{section}.{item.id}: invalid filter {item.filter!r}: {exc}")
                continue
            for leaf in _walk(node):
                try:
                    _columns_of(leaf, columns)
                except FilterError as exc:
                    if section == "hypotheses" and untestable(exc):
                        warnings.append(
                            f"{section}.{item.id}: '{item.filter}' is not testable on this data ({exc}); "
                            "published with the verdict 'not testable on this data'"
                        )
                    else:
                        problems.append(f"{section}.{item.id}: filter '{item.filter}': {exc}")
    return list(dict.fromkeys(problems)), list(dict.fromkeys(warnings))


def check_config_filters(config, columns, config_path: str = "") -> list[str]:
    """Raise `IcpConfigError` naming every filter attribute that `columns` lack; return the warnings."""
    problems, warnings = filter_problems_and_warnings(config, columns)
    if problems:
        where = f"ICP config {config_path}" if config_path else "ICP config"
        raise IcpConfigError(
            f"{where}: {len(problems)} filter(s) name attributes that marts.account_features does not have: "
            + "; ".join(problems)
            + ". Fix the attribute names (any column of marts.account_features, with or without its family "
            "prefix; marts.attribute_catalog lists them) and run again."
        )
    return warnings
