"""Every case of the bad-input matrix is documented in docs/bad-inputs.md."""

from __future__ import annotations

from tests.bad_inputs_config_cases import CONFIG_CASES, FILTER_CASES
from tests.bad_inputs_landing_cases import BAD_INPUTS_DOC, LANDING_CASES


def test_every_case_is_documented_in_bad_inputs_md():
    doc = BAD_INPUTS_DOC.read_text(encoding="utf-8")
    ids = [c.id for c in LANDING_CASES] + [c[0] for c in CONFIG_CASES] + [c[0] for c in FILTER_CASES]
    ids += [
        "zero_customers",
        "five_customers",
        "one_industry",
        "no_closed_opportunities",
        "enrichment_matches_nothing",
        "duplicate_domains",
        "self_and_cyclic_parents",
        "orphans",
        "unknown_currency",
        "misspelt_filter_in_a_run",
    ]
    assert not [i for i in ids if f"`{i}`" not in doc]
