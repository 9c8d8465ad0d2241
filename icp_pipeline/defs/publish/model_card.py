"""`icp.model_card`: the model card of this refresh, as the model step wrote it."""

import duckdb
import pandas as pd

from icp_pipeline.lib.model.card import MODEL_CARD_COLUMNS


def model_card_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row (columns of MODEL_CARD_COLUMNS, in order) from `model.model_card`."""
    card = con.execute("select * from model.model_card").df()
    return card.reindex(columns=list(MODEL_CARD_COLUMNS))
