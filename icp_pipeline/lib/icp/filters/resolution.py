"""Attribute resolution: which feature-mart column each leaf of a filter names."""

from __future__ import annotations

import difflib

from icp_pipeline.lib.model.families import TECH_PREFIX, display_name

from .syntax import Between, Compare, Event, FilterError, InList, Node, Uses, parse_filter, slugify, walk


def resolve_attribute(name: str, columns) -> str:
    """Column for `name`: exact, case-insensitive, or the unique `<prefix>__<name>` column."""
    columns = [str(c) for c in columns]
    if name in columns:
        return name
    lowered = name.lower()
    exact = [c for c in columns if c.lower() == lowered]
    if len(exact) == 1:
        return exact[0]
    by_suffix = [c for c in columns if "__" in c and display_name(c).lower() == lowered]
    if len(by_suffix) == 1:
        return by_suffix[0]
    if len(by_suffix) > 1:
        raise FilterError(
            f"attribute '{name}' is ambiguous: write one of {', '.join(sorted(by_suffix))}",
            attribute=name,
            suggestions=sorted(by_suffix),
        )
    raise _unknown(f"unknown attribute '{name}'", name, columns)


def _unknown(message: str, name: str, columns: list[str], suffix_only: bool = False) -> FilterError:
    by_key: dict[str, str] = {}
    for c in columns:
        if not suffix_only:
            by_key.setdefault(c.lower(), c)
        by_key.setdefault(display_name(c).lower(), c)
    close = difflib.get_close_matches(name.lower(), list(by_key), n=5, cutoff=0.6)
    suggestions = list(dict.fromkeys(by_key[k] for k in close))[:3]
    hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else " (no similar attribute)"
    return FilterError(message + hint, attribute=name, suggestions=suggestions)


def _tech_column(node: Uses, columns: list[str]) -> str:
    col = f"{TECH_PREFIX}{slugify(node.technology)}"
    if col in columns:
        return col
    techs = [c for c in columns if c.startswith(TECH_PREFIX)]
    raise _unknown(
        f"unknown technology '{node.technology}' (no column {col})", display_name(col), techs, True
    )


def _event_column(node: Event, columns: list[str]) -> str:
    col = f"sit__events_{slugify(node.event_type)}_{node.months}m"
    if col in columns:
        return col
    if node.months != 12 and f"sit__events_{slugify(node.event_type)}_12m" in columns:
        raise FilterError(
            f"event '{node.event_type}' is only available within 12 months (no column {col})",
            attribute=col,
            suggestions=[f"sit__events_{slugify(node.event_type)}_12m"],
        )
    by_type = {c[len("sit__events_") :].rsplit("_", 1)[0]: c for c in columns if c.startswith("sit__events_")}
    close = difflib.get_close_matches(slugify(node.event_type), list(by_type), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(by_type[c] for c in close)}?" if close else ""
    raise FilterError(
        f"unknown event type '{node.event_type}' (no column {col}){hint}",
        attribute=col,
        suggestions=[by_type[c] for c in close],
    )


def _leaf_column(leaf: Node, columns: list[str]) -> str | None:
    """The column one leaf reads (None for `not`, `and`, `or`); `FilterError` when there is none."""
    if isinstance(leaf, Uses):
        return _tech_column(leaf, columns)
    if isinstance(leaf, Event):
        return _event_column(leaf, columns)
    if isinstance(leaf, InList | Between | Compare):
        return resolve_attribute(leaf.attr.name, columns)
    return None


def leaf_columns(node: Node, columns: list[str]) -> dict[int, str]:
    """Resolved column per leaf (keyed by id of the leaf); the first leaf's `FilterError` otherwise."""
    out = {}
    for leaf in walk(node):
        column = _leaf_column(leaf, columns)
        if column is not None:
            out[id(leaf)] = column
    return out


def filter_problems(node: Node, columns) -> list[FilterError]:
    """Every leaf's `FilterError` (unknown or ambiguous attribute, technology, event), in leaf order:
    the one filter checker behind `validate_filter` and the ICP config check (`config_check`)."""
    columns = [str(c) for c in columns]
    problems = []
    for leaf in walk(node):
        try:
            _leaf_column(leaf, columns)
        except FilterError as exc:
            problems.append(exc)
    return problems


def validate_filter(text: str, columns) -> list[str]:
    """Config-time check: parse and resolve every attribute; returns the columns used (in order).

    Raises `FilterError` (syntax with position, or unknown attribute with suggestions).
    """
    node = parse_filter(text)
    return list(dict.fromkeys(leaf_columns(node, [str(c) for c in columns]).values()))
