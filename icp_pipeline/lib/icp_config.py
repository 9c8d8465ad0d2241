"""The ICP definition file (`icp.yaml`, path from `ICP_CONFIG`): loaded safely and validated strictly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from icp_pipeline.lib.icp.definition import IcpDefinition
from icp_pipeline.lib.landing.mapping import TableMapping, parse_mappings

DEFAULT_WON_STAGES = ["closed won", "won", "closed-won", "closedwon", "closed_won"]
DEFAULT_LOST_STAGES = ["closed lost", "lost", "closed-lost", "closedlost", "closed_lost", "disqualified"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageConfig(_Strict):
    """Which CRM stage spellings mean won or lost (compared case-insensitively, trimmed)."""

    won: list[str] = Field(default_factory=lambda: list(DEFAULT_WON_STAGES))
    lost: list[str] = Field(default_factory=lambda: list(DEFAULT_LOST_STAGES))


class IdentityConfig(_Strict):
    """How strictly records must join across tables (`marts.identity_match_rates`).

    `min_child_match_rate`: the lowest share of a child table's rows with a key (deals, contacts,
    activities, campaign members, leads, ERP customers' crm_account_id and parent_account_id -> CRM
    accounts; invoices and contracts -> ERP customers) that must find their parent. Below it the run
    stops before the model (blocking asset check `identity_child_parent_match_rates`). Rows with an
    empty key are not unmatched. 0 turns the stop off.
    """

    min_child_match_rate: float = Field(0.8, ge=0, le=1)


class SourceConfig(_Strict):
    """Connector dialect of the landing folder (docs/connectors/): `crm` (fivetran_salesforce, fivetran_hubspot, airbyte_salesforce) and
    `billing` (fivetran_stripe). Unset = detected from the folder's table and column names; the
    contract's own `crm/` and `erp/` folders when no connector folder is there."""

    crm: str | None = None
    billing: str | None = None


class TierPolicy(_Strict):
    """How prospects are cut into Tier 1/2/3.

    - `quantile`: Tier 1 = top `tier1_share` by expected value, Tier 2 = next `tier2_share`, Tier 3 = rest.
    - `threshold`: Tier 1 = icp_score >= `tier1_min_score`, Tier 2 = >= `tier2_min_score`.
    - `capacity`: Tier 1 = `sales_reps` x `accounts_per_rep` accounts, Tier 2 = `marketing_capacity`.

    Between refreshes the quantile and capacity cut-offs stay frozen in relative value (expected value
    / the pool's median positive expected value) until the distribution shifts (Kolmogorov–Smirnov
    distance above `rebaseline_max_ks`) or the tier sizes leave the policy by more than
    `share_tolerance` (relative); see `icp_pipeline.lib.tier_baseline`.
    """

    policy: Literal["quantile", "threshold", "capacity"] = "quantile"
    tier1_share: float = Field(0.10, gt=0, lt=1)
    tier2_share: float = Field(0.20, gt=0, lt=1)
    tier1_min_score: float = Field(90.0, ge=0, le=100)
    tier2_min_score: float = Field(70.0, ge=0, le=100)
    sales_reps: int = Field(10, ge=1)
    accounts_per_rep: int = Field(50, ge=1)
    marketing_capacity: int = Field(2000, ge=0)
    include_customers: bool = False
    share_tolerance: float = Field(0.25, gt=0, le=1)
    rebaseline_max_ks: float = Field(0.10, gt=0, le=1)

    @model_validator(mode="after")
    def _shares_fit(self) -> TierPolicy:
        if self.tier1_share + self.tier2_share >= 1:
            raise ValueError("tier1_share + tier2_share must be below 1 (Tier 3 takes the rest)")
        if self.tier2_min_score > self.tier1_min_score:
            raise ValueError("tier2_min_score must not exceed tier1_min_score")
        return self


class IcpConfig(IcpDefinition):
    """The whole ICP config: the qualitative ICP sections (questions, hypotheses, disqualifiers,
    overrides, segments, validation; see `icp_pipeline.lib.icp.definition`) plus the run settings
    below. Unknown keys are errors so that typos cannot pass silently.
    """

    reporting_currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    as_of_date: dt.date | None = None
    stages: StageConfig = Field(default_factory=StageConfig)
    value_label: Literal[
        "label_annualised_value", "label_gross_margin_ltv", "label_acv", "label_revenue", "label_won_amount"
    ] = "label_annualised_value"
    tiers: TierPolicy = Field(default_factory=TierPolicy)
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    source: SourceConfig = Field(default_factory=SourceConfig)
    mappings: dict[str, TableMapping] = Field(default_factory=dict)

    @field_validator("mappings", mode="before")
    @classmethod
    def _validate_mappings(cls, value: Any) -> dict[str, TableMapping]:
        return parse_mappings(value)

    def dbt_vars(self) -> dict[str, Any]:
        """The variables the dbt project reads."""
        return {
            "reporting_currency": self.reporting_currency,
            "as_of_date": self.as_of_date.isoformat() if self.as_of_date else None,
            "won_stages": [s.strip().lower() for s in self.stages.won],
            "lost_stages": [s.strip().lower() for s in self.stages.lost],
            "min_child_match_rate": self.identity.min_child_match_rate,
        }


class IcpConfigError(ValueError):
    """The ICP config file is missing, not YAML, or fails validation."""


def load_icp_config(path: str | Path | None) -> IcpConfig:
    """Read `icp.yaml` with `yaml.safe_load`; a missing default file means all defaults."""
    if path is None:
        return IcpConfig()
    path = Path(path)
    if not path.exists():
        raise IcpConfigError(f"ICP config {path} does not exist (set ICP_CONFIG to an existing icp.yaml)")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise IcpConfigError(f"ICP config {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise IcpConfigError(f"ICP config {path} must be a mapping of sections, got {type(raw).__name__}")
    try:
        return IcpConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()
        )
        raise IcpConfigError(f"ICP config {path} is invalid: {problems}") from exc
