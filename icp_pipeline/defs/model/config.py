"""`ModelConfig`: the Dagster run config of the model assets, derived from `ModelSettings`.

Every field of `ModelSettings` (lib/model/settings.py) whose type Dagster config can carry (numbers,
text, flags) becomes an optional field of the same name here; an unset field keeps `ModelSettings`'
default, so a new knob added there is configurable without an edit here. Callables (the rules
baseline) stay code-only.
"""

from __future__ import annotations

import dataclasses
import types
import typing

import dagster as dg
from pydantic import Field, create_model

from icp_pipeline.lib.model.settings import ModelSettings

_SCALARS = (bool, int, float, str)


def _config_type(annotation: object) -> type | None:
    """The scalar type behind `T` or `T | None`; None when Dagster config cannot carry it."""
    if annotation in _SCALARS:
        return annotation  # type: ignore[return-value]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and args[0] in _SCALARS:
            return args[0]
    return None


def _fields() -> dict[str, tuple[object, object]]:
    hints = typing.get_type_hints(ModelSettings)
    fields: dict[str, tuple[object, object]] = {}
    for field in dataclasses.fields(ModelSettings):
        kind = _config_type(hints[field.name])
        if kind is None:
            continue
        default = (
            "the `value_label` of the ICP config" if field.name == "value_label" else repr(field.default)
        )
        fields[field.name] = (
            kind | None,
            Field(default=None, description=f"`ModelSettings.{field.name}`; unset: {default}."),
        )
    return fields


class _ModelConfigBase(dg.Config):
    """What every `ModelConfig` does with its fields (the fields come from `ModelSettings`)."""

    def to_settings(self, default_label: str) -> ModelSettings:
        """The `ModelSettings` of this run: the fields set here, `default_label` as the value label
        when unset, `ModelSettings`' defaults for the rest."""
        values = {k: v for k, v in self.model_dump().items() if v is not None}
        values.setdefault("value_label", default_label)
        return ModelSettings(**values)


ModelConfig = create_model(
    "ModelConfig",
    __base__=_ModelConfigBase,
    __doc__="Hyper-parameters of the LightGBM models; unset fields keep `ModelSettings`' defaults.",
    __module__=__name__,
    **_fields(),
)
