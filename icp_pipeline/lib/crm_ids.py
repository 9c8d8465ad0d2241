"""The matching key of a CRM account id in Python: the rule of the dbt macro `crm_account_id`
(dbt_project/macros/crm_account_id.sql), for ids typed by people (icp.yaml overrides).

Salesforce ids come in two forms (Salesforce API guide, "Field Types: ID"; the CASESAFEID() formula
function): the case-sensitive 15-character id and the 18-character case-safe id = the 15 characters
+ a 3-character checksum. Checksum: split the 15 characters into three chunks of 5; in each chunk,
character i (0-4) sets bit i when it is an upper-case letter A-Z; the 5-bit number (0-31) indexes
'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'.
"""

from __future__ import annotations

import re

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ALNUM_18 = re.compile(r"[0-9A-Za-z]{18}")


def salesforce_checksum(id15: str) -> str:
    """The 3-character case-safe checksum of the first 15 characters of `id15`."""
    out = ""
    for chunk in range(3):
        bits = sum(1 << i for i in range(5) if "A" <= id15[chunk * 5 + i] <= "Z")
        out += _CHECKSUM_ALPHABET[bits]
    return out


def crm_account_key(value: str | None) -> str | None:
    """The id as the warehouse keys it: trimmed; empty gives None; an 18-character alphanumeric id
    whose last 3 characters are the checksum of its first 15 becomes those 15; anything else is kept
    as it is (case included)."""
    if value is None:
        return None
    text = str(value).strip(" ")  # as SQL trim()
    if not text:
        return None
    if _ALNUM_18.fullmatch(text) and text[15:] == salesforce_checksum(text):
        return text[:15]
    return text
