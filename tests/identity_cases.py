"""Landing folders with one identity fault each (issue 13, cases 3 and 4), built from demo data.

Each builder copies a clean demo landing folder and changes one table the way real exports do:
- `salesforce_18_char_account_ids`: crm/accounts carries 18-character case-safe Salesforce ids while
  every other table (opportunities, contacts, activities, leads, campaign members, ERP crm_account_id,
  parent_account_id) keeps the 15-character form.
- `free_mail_websites`: six customer accounts have a free-mail address or domain as website.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_18(id15: str) -> str:
    """The 18-character case-safe form of a 15-character Salesforce id (checksum per 5-char chunk:
    bit i set when character i is an upper-case letter; 5 bits index A-Z0-5)."""
    suffix = "".join(
        CHECKSUM_ALPHABET[sum(1 << i for i, c in enumerate(id15[k : k + 5]) if "A" <= c <= "Z")]
        for k in (0, 5, 10)
    )
    return id15 + suffix


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def copy_landing(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    (target / "planted_truth.json").unlink(missing_ok=True)
    return target


def salesforce_18_char_account_ids(source: Path, target: Path) -> Path:
    """crm/accounts.account_id in the 18-character form; the other tables unchanged (15 characters)."""
    landing = copy_landing(source, target)
    path = landing / "crm" / "accounts.csv"
    accounts = _read(path)
    assert accounts["account_id"].str.len().eq(15).all()
    accounts["account_id"] = accounts["account_id"].map(salesforce_18)
    accounts.to_csv(path, index=False)
    return landing


FREE_MAIL_WEBSITES = [
    "someone@gmail.com",
    "gmail.com",
    "https://gmail.com",
    "mailto:sales.team@gmail.com",
    "http://www.gmail.com/",
    "GMAIL.COM",
]


def customer_account_ids(landing: Path, n: int) -> list[str]:
    """`n` CRM accounts with a won deal and a website (the first by account_id)."""
    opportunities = _read(landing / "crm" / "opportunities.csv")
    won = set(opportunities.loc[opportunities["stage"].str.lower().str.contains("won"), "account_id"])
    accounts = _read(landing / "crm" / "accounts.csv")
    with_site = accounts[accounts["website"].str.strip().ne("") & accounts["account_id"].isin(won)]
    return sorted(with_site["account_id"])[:n]


def free_mail_websites(source: Path, target: Path) -> tuple[Path, list[str]]:
    """Six customer accounts whose website is a free-mail address or domain; returns their ids."""
    landing = copy_landing(source, target)
    path = landing / "crm" / "accounts.csv"
    accounts = _read(path)
    ids = customer_account_ids(landing, len(FREE_MAIL_WEBSITES))
    for account_id, website in zip(ids, FREE_MAIL_WEBSITES, strict=True):
        accounts.loc[accounts["account_id"] == account_id, "website"] = website
    accounts.to_csv(path, index=False)
    return landing, ids
