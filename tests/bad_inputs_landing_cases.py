"""The landing-level cases of the bad-input matrix (docs/bad-inputs.md): files to write and the
error or repair each one must give; `Case` and the check helpers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from icp_pipeline.lib.config.settings import PROJECT_ROOT

TODAY = dt.date(2026, 11, 24)  # the loader's "today" in these tests, so future dates are fixed
BAD_INPUTS_DOC = PROJECT_ROOT / "docs" / "bad-inputs.md"


@dataclass
class Case:
    """One landing-level bad input: files to write, and either an error or a check of the repair."""

    id: str
    table: str
    files: dict[str, bytes | Callable[[Path], None]]
    error: str | None = None  # regex the LandingDataError must match
    check: Callable[[duckdb.DuckDBPyConnection, object], None] | None = None
    mapping: dict | None = None
    marks: list = field(default_factory=list)


def csv(text: str) -> bytes:
    return text.encode("utf-8")


def parquet(sql: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with duckdb.connect() as con:
            con.execute(f"copy ({sql}) to '{path}' (format parquet)")

    return write


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def quarantine(con) -> list[tuple]:
    return rows(con, "select source_file, line, reason from raw._quarantine order by source_file, line")


def expect(*, rows_: int, quarantined: int = 0, repaired: int = 0, reasons: tuple[str, ...] = ()):
    """A check: loaded/quarantined/repaired counts, and the quarantine reasons (regexes, in order)."""

    def check(con, report):
        assert (report.rows, report.quarantined, report.repaired) == (rows_, quarantined, repaired)
        found = [r[2] for r in quarantine(con)]
        assert len(found) == len(reasons), found
        for pattern, reason in zip(reasons, found, strict=True):
            assert re.search(pattern, reason), (pattern, reason)

    return check


ACC = "crm/accounts/accounts.csv"
HEADER = "account_id,account_name"

LANDING_CASES = [
    # --- columns ---------------------------------------------------------------------------
    Case(
        "missing_required_column",
        "crm/accounts",
        {ACC: csv("account_id,website\n1,acme.com\n")},
        error=r"crm/accounts: missing required column\(s\) \['account_name'\]. Columns found: \['account_id', "
        r"'website'\].*map it under `mappings: crm/accounts: columns:`",
    ),
    Case(
        "renamed_required_column",
        "crm/accounts",
        {ACC: csv("Account ID,Account Name\n1,Acme\n")},
        error=r"missing required column\(s\) \['account_id', 'account_name'\].*Did you mean 'Account ID' for "
        r"account_id, 'Account Name' for account_name\?",
    ),
    Case(
        "renamed_optional_column",
        "crm/accounts",
        {ACC: csv("account_id,account_name,employees\n1,Acme,120\n")},
        check=lambda con, report: (
            expect(rows_=1)(con, report),
            report.extra_columns == ["employees"] or pytest.fail(report.extra_columns),
            "employee_count" in report.missing_optional_columns or pytest.fail("not reported"),
        ),
    ),
    Case(
        "columns_differ_only_in_case",
        "crm/accounts",
        {ACC: csv("account_id,account_name,Industry,INDUSTRY\n1,A,x,y\n")},
        error=r"columns 'Industry' and 'INDUSTRY' differ only in case",
    ),
    Case(
        "personal_data_extra_column",
        "crm/accounts",
        {
            ACC: csv(
                "account_id,account_name,Contact Email,owner_phone,Account Owner,customer_success_manager,segment\n"
                "1,A,a@b.com,+4912345,Jane Doe,John Roe,smb\n"
            )
        },
        check=lambda con, report: (
            report.personal_data_columns
            == ["account_owner", "contact_email", "customer_success_manager", "owner_phone"]
            or pytest.fail(report),
            report.extra_columns == ["segment"] or pytest.fail(report.extra_columns),
            "a@b.com" not in str(rows(con, "select * from raw.crm__accounts")) or pytest.fail("email loaded"),
            any("personal data" in w for w in report.warnings) or pytest.fail(report.warnings),
        ),
    ),
    # --- types -----------------------------------------------------------------------------
    Case(
        "wrong_type_integer",
        "crm/accounts",
        {ACC: csv(f"{HEADER},employee_count\n1,A,120\n2,B,many\n")},
        error=r"crm/accounts: column 'employee_count' expects a whole number, but 1 row\(s\) do not parse "
        r"\(accounts\.csv line 3: 'many'\)",
    ),
    Case(
        "fractional_integer",
        "crm/accounts",
        {ACC: csv(f"{HEADER},employee_count\n1,A,12.5\n2,B,120.0\n")},
        error=r"'employee_count' expects a whole number.*accounts\.csv line 2: '12\.5'",
    ),
    Case(
        "nan_or_infinite_amount",
        "erp/invoices",
        {"erp/invoices.csv": csv("invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,NaN\n")},
        error=r"erp/invoices: column 'amount' expects a plain decimal number.*invoices\.csv line 2: 'NaN'",
    ),
    Case(
        "unparsable_date",
        "crm/accounts",
        {ACC: csv(f"{HEADER},created_at\n1,A,2024-01-02\n2,B,31/02/2024\n")},
        error=r"'created_at' expects an ISO-8601 timestamp.*accounts\.csv line 3: '31/02/2024'.*`date_format`",
    ),
    Case(
        "impossible_date",
        "erp/invoices",
        {"erp/invoices.csv": csv("invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-02-31,10\n")},
        error=r"'invoice_date' expects a date YYYY-MM-DD.*invoices\.csv line 2: '2024-02-31'",
    ),
    Case(
        "unparsable_boolean",
        "marketing/campaign_members",
        {
            "marketing/campaign_members.csv": csv(
                "campaign_id,account_id,sent_at,responded\nK1,1,2024-01-02,maybe\n"
            )
        },
        error=r"'responded' expects true/false.*line 2: 'maybe'",
    ),
    # --- implausible values: repaired by rule, counted, logged ---------------------------------
    Case(
        "future_date_in_required_column",
        "erp/invoices",
        {
            "erp/invoices.csv": csv(
                "invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,10\nI2,C1,2099-01-01,10\n"
                "I3,C1,2026-11-25,10\n"  # tomorrow: within the one day of grace for time zones
            )
        },
        check=expect(
            rows_=2, quarantined=1, reasons=(r"invoice_date 2099-01-01 is in the future.*row quarantined",)
        ),
    ),
    Case(
        "future_date_in_optional_column",
        "crm/accounts",
        {ACC: csv(f"{HEADER},created_at\n1,A,2099-05-01T10:00:00\n2,B,2020-01-01\n")},
        check=lambda con, report: (
            expect(
                rows_=2,
                repaired=1,
                reasons=(r"created_at 2099-05-01T10:00:00 is in the future.*set to null",),
            )(con, report),
            rows(con, "select created_at from raw.crm__accounts where account_id = '1'") == [(None,)]
            or pytest.fail("not nulled"),
        ),
    ),
    Case(
        "future_founded_year",
        "enrichment/firmographics",
        {"enrichment/firmographics.csv": csv("domain,founded_year\na.com,2999\nb.com,1999\n")},
        check=expect(rows_=2, repaired=1, reasons=(r"founded_year 2999 is in the future",)),
    ),
    Case(
        "contract_dates_may_lie_ahead",
        "erp/contracts",
        {
            "erp/contracts.csv": csv(
                "contract_id,erp_customer_id,start_date,end_date,annual_value\nK1,C1,2026-12-01,2029-11-30,100\n"
            )
        },
        check=expect(rows_=1),
    ),
    Case(
        "negative_size",
        "crm/accounts",
        {ACC: csv(f"{HEADER},employee_count,annual_revenue\n1,A,-5,100\n2,B,10,-1\n")},
        check=expect(
            rows_=2, repaired=2, reasons=(r"employee_count -5 is negative", r"annual_revenue -1 is negative")
        ),
    ),
    Case(
        "negative_required_amount",
        "erp/contracts",
        {
            "erp/contracts.csv": csv(
                "contract_id,erp_customer_id,start_date,annual_value\nK1,C1,2024-01-01,-100\n"
            )
        },
        check=expect(rows_=0, quarantined=1, reasons=(r"annual_value -100 is negative.*row quarantined",)),
    ),
    Case(
        "credit_note_is_a_negative_invoice",
        "erp/invoices",
        {
            "erp/invoices.csv": csv(
                "invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,-250.5\n"
            )
        },
        check=lambda con, report: (
            expect(rows_=1)(con, report),
            rows(con, "select amount from raw.erp__invoices") == [(-250.5,)] or pytest.fail("changed"),
        ),
    ),
    Case(
        "absurd_amount_in_required_column",
        "erp/invoices",
        {
            "erp/invoices.csv": csv(
                "invoice_id,erp_customer_id,invoice_date,amount\nI1,C1,2024-01-02,1e15\nI2,C1,2024-01-02,99\n"
            )
        },
        check=expect(rows_=1, quarantined=1, reasons=(r"amount 1e15 is absurd.*row quarantined",)),
    ),
    Case(
        "absurd_amount_in_optional_column",
        "crm/opportunities",
        {
            "crm/opportunities.csv": csv(
                "opportunity_id,account_id,stage,amount\nO1,1,Won,50000000000000\nO2,1,Lost,-10\n"
            )
        },
        check=expect(
            rows_=2,
            repaired=2,
            reasons=(r"amount 50000000000000 is absurd.*set to null", r"amount -10 is negative"),
        ),
    ),
    Case(
        "zero_exchange_rate",
        "erp/fx_rates",
        {"erp/fx_rates.csv": csv("currency,rate_to_reporting\nEUR,1.1\nXYZ,0\n")},
        check=expect(
            rows_=1, quarantined=1, reasons=(r"rate_to_reporting 0 is not a positive exchange rate",)
        ),
    ),
    # --- keys ------------------------------------------------------------------------------
    Case(
        "duplicate_keys",
        "crm/accounts",
        {ACC: csv(f"{HEADER}\n1,A\n1,B\n2,C\n")},
        error=r"key column 'account_id' must be unique, but 1 value\(s\) repeat \('1' x2 at accounts\.csv:2, "
        r"accounts\.csv:3\).*`deduplicate_on: account_id`",
    ),
    Case(
        "duplicate_keys_across_parts",
        "crm/accounts",
        {
            "crm/accounts/part1.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/part2.csv": csv(f"{HEADER}\n1,B\n"),
        },
        error=r"'1' x2 at part1\.csv:2, part2\.csv:2",
    ),
    Case(
        "null_keys",
        "crm/accounts",
        {ACC: csv(f"{HEADER}\n1,A\n,B\n   ,C\n")},
        check=expect(rows_=1, quarantined=2, reasons=(r"missing required value in account_id",) * 2),
    ),
    Case(
        "null_required_value",
        "crm/opportunities",
        {"crm/opportunities.csv": csv("opportunity_id,account_id,stage\nO1,1,Won\nO2,1,\n")},
        check=expect(
            rows_=1, quarantined=1, reasons=(r"missing required value in opportunity_id, account_id, stage",)
        ),
    ),
    # --- files -----------------------------------------------------------------------------
    Case(
        "empty_file_required_table",
        "crm/accounts",
        {ACC: b""},
        error=r"crm/accounts: .*accounts\.csv is empty \(0 bytes\)\. Export it again with its header row",
    ),
    Case(
        "empty_file_optional_table",
        "erp/invoices",
        {"erp/invoices.csv": b""},
        error=r"invoices\.csv is empty \(0 bytes\).*delete the file if the table has no data \(the table is "
        r"optional",
    ),
    Case(
        "header_only_required_table",
        "crm/accounts",
        {ACC: csv(f"{HEADER},website\n")},
        error=r"crm/accounts: accounts\.csv has no usable row: it has a header but no data rows",
    ),
    Case(
        "header_only_optional_table",
        "erp/invoices",
        {"erp/invoices.csv": csv("invoice_id,erp_customer_id,invoice_date,amount\n")},
        check=lambda con, report: (report.present and report.rows == 0) or pytest.fail(report),
    ),
    Case(
        "every_row_quarantined_in_required_table",
        "crm/accounts",
        {ACC: csv(f"{HEADER}\n,A\n2,\n")},
        error=r"has no usable row: all 2 row\(s\) went to raw\._quarantine",
    ),
    Case(
        "utf8_byte_order_mark",
        "crm/accounts",
        {ACC: "\ufeffaccount_id,account_name\n1,Café\n".encode()},
        check=lambda con, report: (
            rows(con, "select account_id, account_name from raw.crm__accounts") == [("1", "Café")]
            or pytest.fail("BOM")
        ),
    ),
    Case(
        "latin1_bytes",
        "crm/accounts",
        {ACC: f"{HEADER}\n1,Acme\n2,Café Noir\n".encode("latin-1")},
        error=r"accounts\.csv: line 3 is not UTF-8 \(byte 0xE9 at offset \d+, 'é' in Latin-1/Windows-1252\).*"
        r"iconv -f latin1 -t utf-8",
    ),
    Case(
        "semicolon_delimiter",
        "crm/accounts",
        {ACC: csv("account_id;account_name;industry\n1;Acme;software\n")},
        error=r"accounts\.csv: the header 'account_id;account_name;industry' is semicolon separated \(';'\); "
        r"the landing contract expects comma-separated CSV",
    ),
    Case(
        "semicolon_delimiter_with_decimal_commas",
        "crm/accounts",
        {ACC: csv("account_id;account_name;annual_revenue\n1;Acme;1234,50\n2;Beta;99,90\n")},
        error=r"is semicolon separated \(';'\)",
    ),
    Case(
        "tab_delimiter",
        "crm/accounts",
        {ACC: csv("account_id\taccount_name\n1\tAcme\n")},
        error=r"is tab separated \('\\t'\)",
    ),
    Case(
        "quoted_newlines",
        "crm/accounts",
        {ACC: csv(f'{HEADER},industry\n1,"Acme\nHoldings, Inc.",software\n2,"Beta ""B""",retail\n')},
        check=lambda con, report: (
            rows(con, "select account_name, industry from raw.crm__accounts order by 1")
            == [("Acme\nHoldings, Inc.", "software"), ('Beta "B"', "retail")]
            or pytest.fail("quoting")
        ),
    ),
    Case(
        "csv_and_parquet_parts_mixed",
        "crm/accounts",
        {
            "crm/accounts/a.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/b.parquet": parquet("select '2' as account_id"),
        },
        error=r"found both CSV and Parquet files.*Keep one format per table",
    ),
    Case(
        "parts_with_different_optional_columns",
        "crm/accounts",
        {
            "crm/accounts/part1.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/part2.csv": csv("account_name,website,account_id\nB,b.com,2\n"),
        },
        check=lambda con, report: (
            rows(con, "select account_id, website from raw.crm__accounts order by 1")
            == [("1", None), ("2", "b.com")]
            or pytest.fail("union")
        ),
    ),
    Case(
        "parts_missing_a_required_column",
        "crm/accounts",
        {
            "crm/accounts/part1.csv": csv(f"{HEADER}\n1,A\n"),
            "crm/accounts/part2.csv": csv("account_id,website\n2,b.com\n"),
        },
        error=r"the parts of the table differ in required columns \(part2\.csv lacks \['account_name'\]\)",
    ),
    Case(
        "parquet_with_text_in_a_number_column",
        "crm/accounts",
        {
            "crm/accounts.parquet": parquet(
                "select '1' as account_id, 'A' as account_name, 'many' as employee_count"
            )
        },
        error=r"'employee_count' expects a whole number.*accounts\.parquet row 1: 'many'",
    ),
    Case(
        "parquet_with_unexpected_types",
        "crm/accounts",
        {
            "crm/accounts.parquet": parquet(
                "select 42 as account_id, 'A' as account_name, 120.0::double as employee_count, "
                "date '2024-01-02' as created_at, {'tier': 'gold'} as nested, timestamp '2024-01-02 03:04:05' as ts, "
                "3::tinyint as small_int"
            )
        },
        check=lambda con, report: (
            rows(
                con,
                "select account_id, employee_count, created_at::varchar, nested, ts, small_int from raw.crm__accounts",
            )
            == [("42", 120, "2024-01-02 00:00:00", "{'tier': gold}", "2024-01-02 03:04:05", 3.0)]
            or pytest.fail(rows(con, "select * from raw.crm__accounts")),
        ),
    ),
    Case(
        "parquet_file_that_is_not_parquet",
        "crm/accounts",
        {"crm/accounts.parquet": csv(f"{HEADER}\n1,A\n")},
        error=r"could not read .*accounts\.parquet as Parquet.*Export the table again",
    ),
    # --- mappings and hostile names: identifiers are quoted, values are literals ------------------
    Case(
        "mapping_names_a_missing_column",
        "crm/accounts",
        {"export.csv": csv("Id,Name\n1,A\n")},
        mapping={"path": "export.csv", "columns": {"account_id": "Id", "account_name": "Company"}},
        error=r"mapping for 'account_name' names column 'Company', which the file does not have. Columns found: "
        r"\['Id', 'Name'\]",
    ),
    Case(
        "hostile_column_names",
        "crm/accounts",
        {
            "export.csv": csv(
                '"id""; drop table raw._quarantine; --","name\'); drop table x; --","x"" or 1=1 --"\n'
                "1,O'Brien & Co,evil\n"
            )
        },
        mapping={
            "path": "export.csv",
            "columns": {
                "account_id": 'id"; drop table raw._quarantine; --',
                "account_name": "name'); drop table x; --",
                "industry": {"constant": "it's; drop table y; --"},
                "country": {"column": "name'); drop table x; --", "values": {"O'Brien & Co": "'; --"}},
            },
        },
        check=lambda con, report: (
            rows(con, "select account_id, account_name, industry, country, x_or_1_1 from raw.crm__accounts")
            == [("1", "O'Brien & Co", "it's; drop table y; --", "'; --", "evil")]
            or pytest.fail(rows(con, "select * from raw.crm__accounts")),
            rows(con, "select count(*) from raw._quarantine") == [(0,)] or pytest.fail("quarantine dropped"),
        ),
    ),
]
