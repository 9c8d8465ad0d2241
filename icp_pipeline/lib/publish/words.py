"""Counts in sentences people read (report, run summary, icp_summary, CRM export): the noun and the
verb agree with the number ('1 account changed', '3 accounts changed'; '1 of the 4 traits tested
differs')."""

from __future__ import annotations

import re


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 account', '2 accounts', '1,200 accounts' (`plural`: an irregular plural, e.g. 'capabilities')."""
    n = int(n)
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def agree(n: int, singular: str, plural: str) -> str:
    """The verb (or any word) that agrees with `n`: agree(1, 'differs', 'differ') -> 'differs'."""
    return singular if int(n) == 1 else plural


def with_count(n: int, phrase: str) -> str:
    """`phrase` with each 'word(s)' agreeing with `n`: with_count(1, 'row(s) quarantined') ->
    '1 row quarantined'; with_count(3, ...) -> '3 rows quarantined'."""
    n = int(n)
    words = re.sub(r"(\w+)\(s\)", lambda m: m.group(1) + ("" if n == 1 else "s"), phrase)
    return f"{n:,} {words}"
