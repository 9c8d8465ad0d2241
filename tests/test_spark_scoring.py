"""Scoring per partition on local Spark gives the booster's own predictions and SHAP reasons."""

from __future__ import annotations

import numpy as np
import pytest

from icp_pipeline.lib.engine.spark_session import java_missing_reason

pytestmark = pytest.mark.skipif(
    java_missing_reason() is not None, reason=f"Spark engine: {java_missing_reason()}"
)


def test_mapinpandas_scores_equal_the_local_booster(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from spark_scoring import prospects, train_booster

    from icp_pipeline.lib.engine.spark_scoring import reasons_from_contrib, score_partitions
    from icp_pipeline.lib.engine.spark_session import get_spark

    spark = get_spark(tmp_path / "spark")
    booster, features = train_booster()
    frame = prospects(spark, 3000, features).repartition(3)
    local = frame.toPandas().sort_values("account_key").reset_index(drop=True)
    scored = score_partitions(spark, frame, booster, features).toPandas()
    scored = scored.sort_values("account_key").reset_index(drop=True)

    assert len(scored) == 3000 and scored["account_key"].tolist() == local["account_key"].tolist()
    expected = booster.predict(local[features].astype(float))
    assert np.allclose(scored["raw_score"], expected, rtol=1e-9, atol=1e-12)
    contrib = booster.predict(local[features].astype(float), pred_contrib=True)
    assert scored["top_reasons"].tolist() == reasons_from_contrib(contrib, features)
    assert scored["top_reasons"].str.count(";").eq(2).mean() > 0.99
