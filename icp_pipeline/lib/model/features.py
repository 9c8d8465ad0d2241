"""Design matrix: observable attributes of `marts.account_features` as a LightGBM-ready frame."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .families import NON_OBSERVABLE_FAMILIES, family_of
from .identifiers import code_as_category, identifier_kind
from .settings import IDENTITY_COLUMNS, ModelSettings

KINDS = ("numeric", "binary", "categorical")


@dataclass
class DesignMatrix:
    """`X`: one row per account (index of the input), numeric float or pandas `category` columns.

    `attributes`: one row per candidate attribute (attribute, family, observable, data_type, kind).
    `exclusions`: attributes left out of X, as {attribute, reason}.
    """

    X: pd.DataFrame
    attributes: pd.DataFrame
    exclusions: list[dict] = field(default_factory=list)
    treatments: dict[str, str] = field(default_factory=dict)  # attribute -> how it was prepared

    def drop(self, reasons: dict[str, str]) -> DesignMatrix:
        """Copy without the given attributes, recording why."""
        cols = [c for c in reasons if c in self.X.columns]
        return DesignMatrix(
            X=self.X.drop(columns=cols),
            attributes=self.attributes,
            exclusions=self.exclusions + [{"attribute": a, "reason": r} for a, r in reasons.items()],
            treatments=self.treatments,
        )

    def kind(self, attribute: str) -> str:
        return str(self.attributes.set_index("attribute").at[attribute, "kind"])


def candidate_attributes(features: pd.DataFrame, catalog: pd.DataFrame | None) -> pd.DataFrame:
    """Catalog rows plus any prefixed attribute column of `features` the catalog lacks (inferred)."""
    cols = ["attribute", "family", "observable_for_prospects", "data_type"]
    cat = pd.DataFrame(columns=cols) if catalog is None else catalog.reindex(columns=cols).copy()
    cat = cat[cat["attribute"].notna()].drop_duplicates("attribute")
    known = set(cat["attribute"])
    extra = [
        c
        for c in features.columns
        if "__" in c and c not in known and not c.startswith("label_") and c not in IDENTITY_COLUMNS
    ]
    if extra:
        inferred = pd.DataFrame({"attribute": extra})
        inferred["family"] = inferred["attribute"].map(family_of)
        inferred["observable_for_prospects"] = ~inferred["family"].isin(NON_OBSERVABLE_FAMILIES)
        inferred["data_type"] = [
            "numeric" if _is_numeric_dtype(features[c]) else "categorical" for c in extra
        ]
        cat = pd.concat([cat, inferred], ignore_index=True)
    cat["family"] = cat["family"].fillna(cat["attribute"].map(family_of))
    cat["observable_for_prospects"] = (
        cat["observable_for_prospects"]
        .astype("boolean")
        .fillna(~cat["family"].isin(NON_OBSERVABLE_FAMILIES))
        .astype(bool)
    )
    missing_type = cat["data_type"].isna()
    cat.loc[missing_type, "data_type"] = [
        "numeric" if a in features and _is_numeric_dtype(features[a]) else "categorical"
        for a in cat.loc[missing_type, "attribute"]
    ]
    return cat.reset_index(drop=True)


def build_design_matrix(
    features: pd.DataFrame, catalog: pd.DataFrame | None, settings: ModelSettings | None = None
) -> DesignMatrix:
    """Numeric attributes as float, categoricals as `category` with levels from all rows.

    Skipped and reported: non-observable (behavioural) attributes, attributes absent from the
    features, all-missing and constant columns, high-cardinality text (> `max_categories` levels, or
    > 10 levels with more than `max_unique_share` of non-null values distinct), identifier-like
    numbers (ids; codes that fit no category level, see `identifiers`). Numeric codes (SIC, postal,
    ...) become categories; `treatments` says so per attribute.
    """
    settings = settings or ModelSettings()
    attrs = candidate_attributes(features, catalog)
    exclusions: list[dict] = []
    columns: dict[str, pd.Series] = {}
    kinds: list[str | None] = []
    treatments: dict[str, str] = {}
    for row in attrs.itertuples(index=False):
        name = row.attribute
        kind, reason = None, None
        if name.startswith("label_") or name in IDENTITY_COLUMNS:
            reason = "label or identity column, not an attribute"
        elif name not in features.columns:
            reason = "listed in attribute_catalog but absent from account_features"
        else:
            col, kind, reason, treatment = _prepare(name, features[name], str(row.data_type), settings)
            if treatment:
                treatments[name] = treatment
            if reason is None and not row.observable_for_prospects:
                reason = f"{row.family}: not observable for prospects, excluded from scoring by design"
            elif reason is None:
                columns[name] = col
        kinds.append(kind)
        if reason is not None:
            exclusions.append({"attribute": name, "reason": reason})
    attrs["kind"] = kinds
    X = pd.DataFrame(columns, index=features.index)
    return DesignMatrix(X=X, attributes=attrs, exclusions=exclusions, treatments=treatments)


def _prepare(
    name: str, col: pd.Series, data_type: str, settings: ModelSettings
) -> tuple[pd.Series, str, str | None, str | None]:
    """(column, kind, exclusion reason or None, treatment note or None)."""
    treatment = None
    if data_type == "numeric" or (data_type != "categorical" and _is_numeric_dtype(col)):
        values = to_float(col)
        nn = values.dropna()
        kind = "binary" if len(nn) and nn.isin([0.0, 1.0]).all() else "numeric"
        reason = _degenerate(values)
        if reason is not None or kind == "binary":
            return values, kind, reason, None
        ident, why = identifier_kind(name, values)
        if ident is None:
            return values, kind, None, None
        if ident == "id":
            return values, kind, f"identifier-like number ({why}): no meaning as a number or a category", None
        labels, how = code_as_category(values, settings.max_categories)
        if labels is None:
            return values, kind, f"identifier-like number ({why}): {how}", None
        treatment = f"numeric code, not a magnitude ({why}): {how}"
        col = labels
    values, levels = categorical_codes(col)
    n_nonnull = int((values.codes >= 0).sum())
    reason = _degenerate_codes(values.codes, len(levels))
    if reason is None and (
        len(levels) > settings.max_categories
        or (len(levels) > 10 and len(levels) > settings.max_unique_share * n_nonnull)
    ):
        reason = f"high-cardinality text ({len(levels)} distinct values in {n_nonnull} rows)"
    return pd.Series(values, index=col.index), "categorical", reason, treatment


def categorical_codes(col: pd.Series) -> tuple[pd.Categorical, list[str]]:
    """`col` as a `pd.Categorical` of `categorical_strings(col)` with its sorted distinct values as
    the categories (and those categories). Each distinct value is cleaned once and rows take its
    code (`pd.factorize`): at 1 M accounts, one Python string per row cost most of the design
    matrix's time. Equal to `pd.Categorical(categorical_strings(col), categories=sorted levels)`."""
    if not _factorizes_exactly(col):
        values = categorical_strings(col)
        levels = sorted(values.dropna().unique())
        return pd.Categorical(values, categories=levels), levels
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    cleaned = categorical_strings(pd.Series(uniques))
    levels = sorted(cleaned.dropna().unique())
    position = {level: i for i, level in enumerate(levels)}
    # code per distinct raw value, then -1 (missing) for the factorize sentinel at the end
    lookup = np.array(
        [position.get(v, -1) if isinstance(v, str) else -1 for v in cleaned] + [-1], dtype=np.int64
    )
    return pd.Categorical.from_codes(lookup[codes], categories=levels), levels


def _factorizes_exactly(col: pd.Series) -> bool:
    """Whether equal values of `col` always have equal text: text, integers and booleans. Not floats
    (0.0 and -0.0 are equal but read '0.0' and '-0.0') nor `object` columns (which may hold them)."""
    dtype = col.dtype
    return (
        isinstance(dtype, pd.StringDtype)
        or pd.api.types.is_integer_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    )


def _degenerate_codes(codes: np.ndarray, n_levels: int) -> str | None:
    """`_degenerate` of a categorical from its codes (-1 = missing)."""
    if n_levels == 0:
        return "all missing"
    if n_levels + int(bool((codes < 0).any())) <= 1:
        return "constant"
    return None


def to_float(col: pd.Series) -> pd.Series:
    """Numeric (or bool, or numeric text) column as float64 with NaN for missing."""
    values = col.astype("Float64") if pd.api.types.is_bool_dtype(col) else pd.to_numeric(col, errors="coerce")
    return pd.Series(np.asarray(values.to_numpy(dtype=float, na_value=np.nan)), index=col.index)


def categorical_strings(col: pd.Series) -> pd.Series:
    """Values as stripped strings (object dtype), empty strings as missing."""
    out = pd.Series(np.nan, index=col.index, dtype=object)
    mask = col.notna()
    out[mask] = col[mask].astype(str).str.strip().to_numpy(dtype=object)
    return out.where(out != "", np.nan)


def _degenerate(values: pd.Series) -> str | None:
    if values.isna().all():
        return "all missing"
    if values.nunique(dropna=False) <= 1:
        return "constant"
    return None


def _is_numeric_dtype(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
