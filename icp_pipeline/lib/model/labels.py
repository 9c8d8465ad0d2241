"""Attribute labels and units as people read them, and numbers formatted with their unit.

The labels come from `marts.attribute_catalog` (`label`, `unit`; the rule is in the dbt macro
`macros/attribute_labels.sql`). `attribute_label` applies the same rule in Python to a name the
catalog does not hold (a catalog built before the columns existed, a test frame): the family prefix,
a Salesforce custom-field suffix (`__c`, `_c`) and a HubSpot `property_` prefix dropped, underscores
as spaces, acronyms upper-cased ("x__sic_code" -> "SIC code", "custom__region_c" -> "Region").
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import duckdb
import numpy as np

from icp_pipeline.lib.warehouse.frames import read_frame

# Words written in capitals in labels; the same list as dbt_project/macros/attribute_labels.sql.
ACRONYMS = frozenset(
    [
        "id",
        "sic",
        "naics",
        "crm",
        "erp",
        "arr",
        "mrr",
        "acv",
        "ltv",
        "nps",
        "hq",
        "it",
        "ai",
        "ml",
        "saas",
        "b2b",
        "b2c",
        "vp",
        "ceo",
        "cfo",
        "cto",
        "cio",
        "usd",
        "eur",
        "gbp",
        "us",
        "uk",
        "eu",
        "emea",
        "apac",
        "namer",
        "latam",
        "api",
        "sla",
        "kpi",
        "roi",
        "gdpr",
        "hr",
        "seo",
        "url",
        "iso",
        "aws",
        "gcp",
        "bi",
        "cdp",
        "sap",
        "sql",
        "ibm",
        "sms",
        "cdn",
    ]
)
_WINDOW = re.compile(r"_(\d+)m$")
_YEAR = re.compile(r"(^|_)(year|yr)(_|$)")


def humanize(text: str, title: bool = False) -> str:
    """'sic_code' -> 'SIC code'; 'region_c' -> 'Region'; 'property_lifecycle' -> 'Lifecycle';
    `title` (a product name): 'google_cloud' -> 'Google Cloud', 'power_bi' -> 'Power BI'."""
    cleaned = re.sub(r"(__c|_c)$", "", text)
    cleaned = re.sub(r"^(property_|hs_)", "", cleaned)
    words = [
        w.upper() if w.lower() in ACRONYMS else (w.capitalize() if title else w.lower())
        for w in cleaned.split("_")
        if w
    ]
    phrase = " ".join(words) if words else text
    return phrase[:1].upper() + phrase[1:]


def readable_value(value: object) -> str:
    """A category value as people read it: a slug ('financial_services') -> 'Financial services';
    any other text unchanged."""
    text = str(value)
    if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+|[a-z][a-z0-9]*", text):
        return humanize(text)
    return text


@functools.lru_cache(maxsize=4096)
def attribute_label(name: str) -> tuple[str, str | None]:
    """(label, unit) of an attribute column by its naming pattern (as macros/attribute_labels.sql
    without the YAML's documented labels). Cached: reasons ask once per worded value."""
    prefix, _, attribute = name.partition("__") if "__" in name else ("", "", name)
    window = _WINDOW.search(attribute)
    months = f", last {window.group(1)} months" if window else ""
    base = _WINDOW.sub("", attribute)
    if prefix == "tech" and attribute.startswith("cat_"):
        return f"{humanize(attribute[4:])} tools used", "tools"
    if prefix == "tech" and attribute == "count":
        return "Technologies used", "technologies"
    if prefix == "tech":
        return f"Uses {humanize(attribute, title=True)}", None
    if prefix == "sit" and attribute.startswith("events_"):
        return f"{humanize(base[7:])} events{months}", "events"
    if prefix == "beh" and attribute.startswith("activities_"):
        return f"{humanize(base[11:])} activities{months}", "activities"
    if prefix == "beh" and attribute.startswith("contacts_seniority_"):
        return f"{humanize(attribute[19:])} contacts", "contacts"
    if prefix == "beh" and attribute.startswith("contacts_dept_"):
        return f"{humanize(attribute[14:])} department contacts", "contacts"
    if _YEAR.search(attribute) and "years" not in attribute:
        return humanize(attribute), "year"
    return humanize(base) + months, None


@dataclass
class Labels:
    """{attribute: (label, unit)} with the naming rule for any other name."""

    known: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    currency: str | None = None

    def label(self, attribute: str) -> str:
        return self.get(attribute)[0]

    def unit(self, attribute: str) -> str | None:
        return self.get(attribute)[1]

    def get(self, attribute: str) -> tuple[str, str | None]:
        if attribute in self.known:
            return self.known[attribute]
        return attribute_label(attribute)

    def name(self, attribute: str) -> str:
        """The label without a currency in brackets ("Annual revenue (USD)" -> "Annual revenue"),
        for sentences that print the value with its currency."""
        label, unit = self.get(attribute)
        if unit and label.endswith(f" ({unit})"):
            return label[: -len(unit) - 3]
        return label

    def value(self, attribute: str, x: float) -> str:
        """`x` formatted for people in the attribute's unit (see `format_value`)."""
        return format_value(x, self.unit(attribute))

    @classmethod
    def from_frame(cls, catalog, currency: str | None = None) -> Labels:
        """From a frame with attribute, label and unit columns (rows without a label are skipped)."""
        known = {}
        if catalog is not None and "label" in getattr(catalog, "columns", ()):
            units = catalog["unit"] if "unit" in catalog.columns else [None] * len(catalog)
            for attribute, label, unit in zip(catalog["attribute"], catalog["label"], units, strict=True):
                if isinstance(label, str) and label:
                    known[attribute] = (label, unit if isinstance(unit, str) and unit else None)
        return cls(known, currency)


def read_labels(con: duckdb.DuckDBPyConnection) -> Labels:
    """Labels of `marts.attribute_catalog` (the naming rule alone when the table or its label column
    is absent)."""
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'attribute_catalog'"
        ).fetchall()
    }
    if not {"attribute", "label", "unit"} <= columns:
        return Labels()
    return Labels.from_frame(read_frame(con, "select attribute, label, unit from marts.attribute_catalog"))


def reporting_currency(con: duckdb.DuckDBPyConnection, labels: Labels | None = None) -> str | None:
    """The reporting currency (ISO 4217 code): the unit of a money attribute in the catalog, else the
    reporting row of intermediate.int_fx_rates (rate 1 from 0001-01-01, the only such row); None when
    neither says."""
    labels = labels if labels is not None else read_labels(con)
    for _, unit in labels.known.values():
        if unit and len(unit) == 3 and unit.isupper():
            return unit
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'intermediate' and table_name = 'int_fx_rates'"
    ).fetchone()[0]
    if exists:
        rows = con.execute(
            "select distinct currency from intermediate.int_fx_rates "
            "where rate_to_reporting = 1 and valid_from = date '0001-01-01'"
        ).fetchall()
        if len(rows) == 1 and rows[0][0]:
            return str(rows[0][0])
    return None


def round_meaningful(x: float, digits: int = 3) -> float:
    """`x` to `digits` significant digits (12,345 -> 12,300; 0.012345 -> 0.0123)."""
    if not np.isfinite(x) or x == 0:
        return x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def format_number(x: float, digits: int = 3) -> str:
    """12345.6 -> '12,300'; 12.0 -> '12'; 0.1234 -> '0.123'; 1.5e6 -> '1.5 M'; NaN -> 'n/a'."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if abs(x) >= 1e9:
        return f"{round_meaningful(x / 1e9, digits):g} bn"
    if abs(x) >= 1e6:
        return f"{round_meaningful(x / 1e6, digits):g} M"
    r = round_meaningful(float(x), digits)
    if float(r).is_integer():
        return f"{r:,.0f}"
    return f"{r:,.{max(0, digits - 1 - int(math.floor(math.log10(abs(r)))))}f}"


def format_money(x: float, currency: str | None) -> str:
    """1234567 with 'USD' -> '1.23 M USD' (no code when `currency` is None)."""
    text = format_number(x)
    return f"{text} {currency}" if currency and text != "n/a" else text


def format_value(x: float, unit: str | None) -> str:
    """A value in its unit: a year without separators ('2004'), a share in % ('12 %'), money with
    its currency code, other units after the number when they are counts ('12 employees')."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if unit == "year":
        return f"{x:.0f}"
    if unit == "share":
        return f"{round_meaningful(x * 100, 2):g} %"
    if unit and unit.isupper() and len(unit) == 3:  # an ISO 4217 code: money
        return format_money(x, unit)
    if unit in ("years", "days", "months"):
        return f"{format_number(x)} {unit[:-1] if x == 1 else unit}"
    return format_number(x)
