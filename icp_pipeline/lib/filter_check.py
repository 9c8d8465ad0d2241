"""Check the ICP config's filters against the feature mart before a step relies on them.

Filter syntax is checked when the config is loaded; whether the attributes exist can only be checked
once `marts.account_features` is built. The model and publish steps call `check_config_filters`
first, so a typo (`uses snowflak`, `employe_count > 5`) fails the run at once, with the closest
attribute names, instead of silently giving an "inconclusive" hypothesis or skipping a disqualifier.

One exception keeps a generic config usable on thin data: a hypothesis about technologies or
events when no technographic (`tech__*`) or event (`sit__events_*`) column exists at all (that data
did not land) is reported as a warning and published as inconclusive. A disqualifier never is: an
account that must not be sold to cannot be let through.
"""

from __future__ import annotations

from icp_pipeline.lib.icp.filters import Event, FilterError, Uses, _columns_of, _walk, parse_filter
from icp_pipeline.lib.icp_config import IcpConfigError

_FAMILY_PREFIX = {Uses: ("tech__", "technographic"), Event: ("sit__events_", "event")}


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
                    family = next((f for kind, f in _FAMILY_PREFIX.items() if isinstance(leaf, kind)), None)
                    data_absent = family is not None and not any(c.startswith(family[0]) for c in columns)
                    if section == "hypotheses" and data_absent:
                        warnings.append(
                            f"{section}.{item.id}: no {family[1]} data landed, so '{item.filter}' cannot be "
                            "tested (published as inconclusive)"
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
