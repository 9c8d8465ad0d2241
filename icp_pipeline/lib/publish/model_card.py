"""`icp.model_card`: the model card of this refresh, as the model step wrote it."""

import duckdb
import pandas as pd

from icp_pipeline.lib.model.card import MODEL_CARD_COLUMNS
from icp_pipeline.lib.warehouse.frames import read_frame


def build_model_card(card: pd.DataFrame) -> pd.DataFrame:
    """`model.model_card`'s rows with the published columns (MODEL_CARD_COLUMNS, in order): a column
    the model step did not write is null, a column not documented is left out."""
    return card.reindex(columns=list(MODEL_CARD_COLUMNS))


def model_card_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """`build_model_card` of `model.model_card`."""
    return build_model_card(read_frame(con, "select * from model.model_card"))
