"""The expectations each table must meet.

Blocking ("error") expectations stop downstream assets: keys present and unique, required values
present. Warning expectations are shown in the UI without stopping the run: enumerations outside
the contract's values, negative sizes, implausible amounts.
"""

from __future__ import annotations

import great_expectations as gx

from icp_pipeline.lib.landing.contract import Table

_E = gx.expectations

ENUMERATIONS = {
    ("erp", "invoices", "status"): ["paid", "open", "void"],
    ("erp", "contracts", "status"): ["active", "ended", "churned"],
    ("marketing", "campaign_members", "group"): ["icp", "control"],
}
NON_NEGATIVE = {"employee_count", "annual_revenue", "office_count", "annual_value", "rate_to_reporting"}
ABSURD_AMOUNT = 1e12


def raw_error_expectations(table: Table) -> list:
    expectations: list = []
    if table.key:
        expectations.append(_E.ExpectColumnValuesToBeUnique(column=table.key))
    expectations += [_E.ExpectColumnValuesToNotBeNull(column=c) for c in table.required_columns]
    return expectations


def raw_warning_expectations(table: Table) -> list:
    expectations: list = []
    for column in table.columns:
        values = ENUMERATIONS.get((table.source, table.name, column.name))
        if values:
            expectations.append(_E.ExpectColumnValuesToBeInSet(column=column.name, value_set=values))
        if column.name in NON_NEGATIVE:
            expectations.append(_E.ExpectColumnValuesToBeBetween(column=column.name, min_value=0))
        if column.name in ("amount", "annual_value"):
            expectations.append(
                _E.ExpectColumnValuesToBeBetween(
                    column=column.name, min_value=-ABSURD_AMOUNT, max_value=ABSURD_AMOUNT
                )
            )
    return expectations


def feature_mart_error_expectations() -> list:
    return [
        _E.ExpectColumnValuesToNotBeNull(column="account_key"),
        _E.ExpectColumnValuesToBeUnique(column="account_key"),
        _E.ExpectColumnValuesToNotBeNull(column="is_customer"),
        _E.ExpectTableRowCountToBeBetween(min_value=1),
    ]


def feature_mart_warning_expectations() -> list:
    return [
        _E.ExpectColumnValuesToBeBetween(column="label_gross_margin_ltv", min_value=0, mostly=0.95),
        _E.ExpectColumnValuesToBeBetween(column="employee_count", min_value=0),
        _E.ExpectColumnValuesToNotBeNull(column="domain", mostly=0.5),
    ]
