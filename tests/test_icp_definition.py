"""The ICP sections of icp.yaml: strict models, filter syntax checked at load, attribute check later."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from icp_pipeline.lib.icp.definition import IcpDefinition, Override

YAML = """
questions:
  ideal_account: Mid-size software companies on a modern data stack
  cannot_sell_to: Competitors and sanctioned countries
hypotheses:
  - id: snowflake
    statement: Snowflake users are worth more
    filter: uses snowflake
  - id: old-companies
    statement: Old companies are worth less
    filter: company_age_years > 30
    expect: lower
    owner: maria
disqualifiers:
  - id: competitors
    filter: industry in [competitor]
    reason: competitor
overrides:
  - match: {domain: https://www.Acme.com/}
    action: include
    reason: strategic logo
    owner: ceo
  - match: {account_id: "0015000001"}
    action: exclude
    reason: legal dispute
    owner: legal
segments: {count: 5}
validation: {leads_recent_days: 30}
"""


def test_full_definition_loads():
    d = IcpDefinition.model_validate(yaml.safe_load(YAML))
    assert d.questions.ideal_account.startswith("Mid-size") and d.questions.objectives is None
    assert [h.expect for h in d.hypotheses] == ["higher", "lower"]
    assert d.overrides[0].tier == "Tier 1" and d.overrides[1].action == "exclude"
    assert d.segments.count == 5 and d.validation.leads_recent_days == 30


def test_defaults_are_empty():
    d = IcpDefinition()
    assert d.hypotheses == [] and d.disqualifiers == [] and d.overrides == []
    assert d.segments.count == 4 and d.validation.leads_recent_days == 90
    assert IcpDefinition.model_validate({"hypotheses": None}).hypotheses == []


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"questions": {"ideal_acount": "x"}}, "Extra inputs"),
        ({"hypotheses": [{"id": "h", "statement": "s", "filter": "industry in [a"}]}, "position 14"),
        ({"hypotheses": [{"id": "h", "statement": "s", "filter": "uses x", "expect": "more"}]}, "expect"),
        ({"hypotheses": [{"id": "h", "statement": "s", "filter": "uses x"}] * 2}, "duplicate id"),
        ({"disqualifiers": [{"id": "d", "filter": "uses x"}]}, "reason"),
        ({"overrides": [{"match": {}, "action": "include", "reason": "r", "owner": "o"}]}, "exactly one"),
        (
            {
                "overrides": [
                    {
                        "match": {"domain": "a.com", "account_id": "1"},
                        "action": "include",
                        "reason": "r",
                        "owner": "o",
                    }
                ]
            },
            "exactly one",
        ),
        ({"overrides": [{"match": {"domain": "a.com"}, "action": "include", "reason": "r"}]}, "owner"),
        (
            {
                "overrides": [
                    {
                        "match": {"domain": "a.com"},
                        "action": "exclude",
                        "tier": "Tier 2",
                        "reason": "r",
                        "owner": "o",
                    }
                ]
            },
            "include",
        ),
        (
            {
                "overrides": [
                    {
                        "match": {"domain": "a.com"},
                        "action": "include",
                        "tier": "Disqualified",
                        "reason": "r",
                        "owner": "o",
                    }
                ]
            },
            "tier",
        ),
        ({"segments": {"count": 7}}, "less than or equal to 5"),
        ({"segments": {"count": 2}}, "greater than or equal to 3"),
    ],
)
def test_invalid_sections_fail_loudly(patch, message):
    with pytest.raises(ValidationError, match=message):
        IcpDefinition.model_validate(patch)


def test_models_are_frozen():
    o = Override.model_validate(
        {"match": {"domain": "a.com"}, "action": "include", "reason": "r", "owner": "o"}
    )
    with pytest.raises(ValidationError):
        o.reason = "other"


def test_filter_problems_checks_attributes_against_the_mart():
    d = IcpDefinition.model_validate(yaml.safe_load(YAML))
    columns = ["tech__snowflake", "sit__company_age_years", "firmo__industry"]
    assert d.filter_problems(columns) == []
    problems = d.filter_problems(["tech__snowflake", "firmo__industry", "sit__company_age"])
    assert len(problems) == 1 and problems[0].startswith("hypotheses.old-companies: unknown attribute")
    assert "sit__company_age" in problems[0]


def test_of_reads_the_sections_of_any_config_object():
    class Cfg:
        hypotheses = []
        disqualifiers = [{"id": "d", "filter": "uses x", "reason": "r"}]

    d = IcpDefinition.of(Cfg())
    assert d.disqualifiers[0].reason == "r" and d.overrides == []
