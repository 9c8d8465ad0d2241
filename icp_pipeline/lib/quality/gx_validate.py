"""Run a Great Expectations suite on a DataFrame and summarise the result for Dagster."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# GX does not document its contexts as thread-safe, and its pandas validation is Python-bound (the GIL
# lets one thread run it at a time anyway): validations on concurrent threads (the extract step's
# thread pool) take turns, while DuckDB work on the other threads goes on.
_GX_LOCK = threading.Lock()


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int
    examples: list

    def describe(self) -> str:
        where = f" on {self.column}" if self.column else ""
        if self.success:
            return f"{self.expectation}{where}: ok"
        return f"{self.expectation}{where}: {self.unexpected_count} unexpected, e.g. {self.examples[:3]}"


def validate_frame(frame: pd.DataFrame, suite_name: str, expectations: list) -> list[ExpectationOutcome]:
    """Validate `frame` with the given GX expectation objects in an ephemeral context (one validation
    at a time in this process)."""
    with _GX_LOCK:
        return _validate_frame(frame, suite_name, expectations)


def _validate_frame(frame: pd.DataFrame, suite_name: str, expectations: list) -> list[ExpectationOutcome]:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every in-memory batch under 1 GB (`HASH_THRESHOLD`) by hashing the whole frame
    # (`hash_pandas_dataframe`) into its batch markers, which nothing here reads: 60 % of a raw table's
    # validation (py-spy, 200 k accounts). 0 turns the fingerprint off; the results are the same.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("icp")
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=suite_name, expectations=expectations)
    result = batch.validate(suite)
    return [
        ExpectationOutcome(
            expectation=r.expectation_config.type,
            column=r.expectation_config.kwargs.get("column"),
            success=bool(r.success),
            unexpected_count=int(r.result.get("unexpected_count") or (0 if r.success else 1)),
            examples=[str(v) for v in (r.result.get("partial_unexpected_list") or [])][:5],
        )
        for r in result.results
    ]
