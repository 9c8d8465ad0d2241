"""`StrictModel`: the one pydantic base of every config model (icp.yaml sections, mappings).

Unknown keys are errors (`extra="forbid"`) so that a typo cannot pass silently, and a loaded config
is immutable (`frozen=True`) so that no step can change what the next step reads.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Base of every config model: unknown keys rejected, instances immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
