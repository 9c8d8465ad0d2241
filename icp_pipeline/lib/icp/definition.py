"""The qualitative ICP as code: `icp.yaml` sections for questions, hypotheses, disqualifiers,
overrides, segments and validation (strict pydantic models, unknown keys are errors).

Filters are checked for syntax when the file is loaded; `IcpDefinition.filter_problems(columns)`
checks their attributes against the feature mart once its columns are known.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from icp_pipeline.lib.config.strict import StrictModel

from .filters import FilterError, parse_filter, validate_filter

__all__ = [
    "Disqualifier",
    "Disqualifiers",
    "Hypotheses",
    "Hypothesis",
    "IcpDefinition",
    "Override",
    "OverrideMatch",
    "Overrides",
    "Questions",
    "SegmentsConfig",
    "ValidationConfig",
]

NonEmpty = Annotated[str, Field(min_length=1)]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


def _check_syntax(text: str) -> str:
    try:
        parse_filter(text)
    except FilterError as exc:
        raise ValueError(f"invalid filter: {exc}") from exc
    return text


FilterText = Annotated[str, AfterValidator(_check_syntax)]


class Questions(StrictModel):
    """The seven qualitative ICP questions, answered in free text by sales and marketing."""

    ideal_account: str | None = None  # what does an ideal account look like?
    attributes: str | None = None  # which attributes do the best customers share?
    objectives: str | None = None  # what are they trying to achieve?
    infrastructure: str | None = None  # which tools / stack do they run?
    buying_triggers: str | None = None  # what makes them buy now?
    reasons_not_buying: str | None = None  # why do good-looking accounts not buy?
    cannot_sell_to: str | None = None  # whom must we never sell to?


class Hypothesis(StrictModel):
    """A belief about the ICP, tested against customer data.

    `expect`: whether accounts matching `filter` should have a higher or lower `metric` than the rest;
    `metric`: `value` (median customer value, default) or `win_rate` (won / closed).
    """

    id: Identifier
    statement: NonEmpty
    filter: FilterText
    expect: Literal["higher", "lower"] = "higher"
    metric: Literal["value", "win_rate"] = "value"
    owner: str | None = None


class Disqualifier(StrictModel):
    """Accounts matching `filter` get tier `Disqualified` with `reason`."""

    id: Identifier
    filter: FilterText
    reason: NonEmpty


class OverrideMatch(StrictModel):
    """Exactly one of a CRM account id or a web domain (normalised: lower case, no scheme or www.)."""

    account_id: str | None = Field(None, min_length=1)
    domain: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> OverrideMatch:
        if (self.account_id is None) == (self.domain is None):
            raise ValueError("match needs exactly one of account_id or domain")
        return self

    def describe(self) -> str:
        return f"account_id {self.account_id}" if self.account_id is not None else f"domain {self.domain}"


class Override(StrictModel):
    """A manual decision on one account: include (at `tier`) or exclude (-> Disqualified)."""

    match: OverrideMatch
    action: Literal["include", "exclude"]
    tier: Literal["Tier 1", "Tier 2", "Tier 3"] = "Tier 1"
    reason: NonEmpty
    owner: NonEmpty

    @model_validator(mode="after")
    def _tier_only_for_include(self) -> Override:
        if self.action == "exclude" and "tier" in self.model_fields_set:
            raise ValueError("tier applies to action 'include' only (an excluded account is Disqualified)")
        return self


class SegmentsConfig(StrictModel):
    """How many segment profiles to cut the high-value customers into."""

    count: int = Field(4, ge=3, le=5)


class ValidationConfig(StrictModel):
    """Windows of the ICP validation checks."""

    leads_recent_days: int = Field(90, ge=1, le=3650)


def _unique_ids(items: list) -> list:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"duplicate id '{item.id}'")
        seen.add(item.id)
    return items


def _unique_matches(items: list[Override]) -> list[Override]:
    seen: set[tuple[str | None, str | None]] = set()
    for item in items:
        key = (item.match.account_id, item.match.domain and item.match.domain.lower())
        if key in seen:
            raise ValueError(f"two overrides for {item.match.describe()}: keep one decision per account")
        seen.add(key)
    return items


def _none_is_empty(value):
    return [] if value is None else value  # `hypotheses:` with nothing under it


Hypotheses = Annotated[list[Hypothesis], BeforeValidator(_none_is_empty), AfterValidator(_unique_ids)]
Disqualifiers = Annotated[list[Disqualifier], BeforeValidator(_none_is_empty), AfterValidator(_unique_ids)]
Overrides = Annotated[list[Override], BeforeValidator(_none_is_empty), AfterValidator(_unique_matches)]


class IcpDefinition(StrictModel):
    """The ICP sections of `icp.yaml`; each field can be added to `IcpConfig` as is."""

    questions: Questions = Field(default_factory=Questions)
    hypotheses: Hypotheses = Field(default_factory=list)
    disqualifiers: Disqualifiers = Field(default_factory=list)
    overrides: Overrides = Field(default_factory=list)
    segments: SegmentsConfig = Field(default_factory=SegmentsConfig)
    validation: ValidationConfig = Field(default_factory=ValidationConfig)

    @classmethod
    def of(cls, config) -> IcpDefinition:
        """The definition held by any object with these attributes (e.g. an `IcpConfig`)."""
        if isinstance(config, cls):
            return config
        return cls(**{name: getattr(config, name) for name in cls.model_fields if hasattr(config, name)})

    def filter_problems(self, columns) -> list[str]:
        """Every hypothesis/disqualifier filter whose attributes are not among `columns`."""
        return filter_problems(self, columns)


def filter_problems(definition, columns) -> list[str]:
    """Messages for filters of `definition.hypotheses` / `.disqualifiers` that `columns` cannot answer."""
    problems = []
    for section in ("hypotheses", "disqualifiers"):
        for item in getattr(definition, section, []) or []:
            try:
                validate_filter(item.filter, columns)
            except FilterError as exc:
                problems.append(f"{section}.{item.id}: {exc}")
    return problems
