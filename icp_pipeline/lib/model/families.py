"""Attribute families, their column prefixes and the names people read: the one home of these rules.

The feature mart (`marts.account_features`) names every attribute `<prefix><name>`; the prefix gives
its family (the dbt model `marts.attribute_catalog` applies the same table, docs/architecture.md).
Technologies are `tech__<slug>` (1 = the account uses it) and technology categories
`tech__cat_<category>` (count of the category's technologies the account uses).
"""

from __future__ import annotations

TECH_PREFIX = "tech__"
TECH_CATEGORY_PREFIX = "tech__cat_"

# Attribute family by column prefix. Longest prefixes first.
FAMILY_BY_PREFIX: dict[str, str] = {
    "firmo__": "firmographic",
    TECH_PREFIX: "technographic",
    "sit__": "business_situation",
    "beh__": "behavioural",
    "x__": "extra",
}
# Families a prospect's data cannot show (no engagement before the deal): never used to describe or
# score prospects' fit.
NON_OBSERVABLE_FAMILIES = frozenset({"behavioural"})


def family_of(attribute: str) -> str:
    """Family from the column prefix (`extra` when unknown)."""
    for prefix, family in FAMILY_BY_PREFIX.items():
        if attribute.startswith(prefix):
            return family
    return "extra"


def is_technology(attribute: str) -> bool:
    """A technographic column: a technology (`tech__<slug>`) or a category count (`tech__cat_<c>`)."""
    return attribute.startswith(TECH_PREFIX)


def is_single_technology(attribute: str) -> bool:
    """One technology's flag (`tech__<slug>`), not a category count (`tech__cat_<category>`)."""
    return attribute.startswith(TECH_PREFIX) and not attribute.startswith(TECH_CATEGORY_PREFIX)


def display_name(attribute: str) -> str:
    """`firmo__employee_count` -> `employee_count`."""
    return attribute.split("__", 1)[1] if "__" in attribute else attribute


def human_name(attribute: str) -> str:
    """`firmo__employee_count` -> `employee count`; `tech__cat_crm` -> `crm tools`."""
    name = display_name(attribute)
    if attribute.startswith(TECH_CATEGORY_PREFIX):
        name = name[len("cat_") :] + " tools"
    return name.replace("_", " ")
