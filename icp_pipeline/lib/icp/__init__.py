"""The ICP itself: qualitative ICP as code (`icp.yaml` sections), a filter language over the
feature mart, hypothesis tests, the best-customer profile, segments, disqualifiers and overrides,
validation of the ICP and tier churn between refreshes. Pure functions over pandas DataFrames.
"""

from .churn import tier_changes, tier_churn_rate
from .definition import (
    Disqualifier,
    Hypothesis,
    IcpDefinition,
    Override,
    OverrideMatch,
    Questions,
    SegmentsConfig,
    ValidationConfig,
    filter_problems,
)
from .filters import FilterError, compile_filter, describe_filter, parse_filter, validate_filter
from .hypotheses import test_hypotheses
from .overrides import apply_disqualifiers_and_overrides
from .profile import build_profile
from .segments import build_segments
from .validation import campaign_lift, leads_in_icp, tier_lift

__all__ = [
    "Disqualifier",
    "FilterError",
    "Hypothesis",
    "IcpDefinition",
    "Override",
    "OverrideMatch",
    "Questions",
    "SegmentsConfig",
    "ValidationConfig",
    "apply_disqualifiers_and_overrides",
    "build_profile",
    "build_segments",
    "campaign_lift",
    "compile_filter",
    "describe_filter",
    "filter_problems",
    "leads_in_icp",
    "parse_filter",
    "test_hypotheses",
    "tier_changes",
    "tier_churn_rate",
    "tier_lift",
    "validate_filter",
]
