"""The Great Expectations suites, one per validated frame (see flows.quality.gate.FRAMES).

Keys, not-null, accepted values, ranges and relationships come from the contracts declared in
dbt_like_sql/*/schema.yml (``contract_checks``); only the checks no generic test expresses are
written here, each with the reason it exists. ``flows.quality.validation.ensure_suites`` writes
the suites into the committed GX project as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from flows.quality.checks import (
    Check,
    between,
    contract_checks,
    has_columns,
    is_true,
    length_between,
    matches,
    row_level,
)
from flows.quality.gate import SUITE_MODELS

# Bounds given as this parameter are filled in at validation time (GX `$PARAMETER` syntax).
LATEST_DATE = {"$PARAMETER": "latest_date"}
EARLIEST_DATE = "1990-01-01"


def _participant_count(frame: pd.DataFrame) -> pd.Series:
    # GX's value-length expectation does not count list elements reliably (an empty list
    # passed in our test), so the count is computed here; a null list counts as 0 people.
    def count(value: Any) -> int:
        return len(value) if isinstance(value, list | tuple | np.ndarray) else 0

    return frame["participants"].map(count).astype("int64")


# Columns some expectations use that the pipeline does not provide: computed before validating.
DERIVED: dict[str, dict[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "meetings": {"participant_count": _participant_count},
}

# A whole body line that is nothing but well-known page furniture.
DEBRIS_LINE = (
    r"(?im)^\s*(?:follow us(?: on [\w ]+)?|most popular|leave a (?:review|comment)"
    r"|related news|share this(?: article)?|subscribe(?: to our newsletter)?|news line)\s*$"
)

_DATE_WHY = (
    "a date before 1990 or after today (+1 day for time zones ahead of UTC) is a parsing "
    "error, e.g. a year read from the wrong number"
)


def _contract(suite: str) -> tuple[Check, ...]:
    return contract_checks(SUITE_MODELS[suite])


SUITES: dict[str, tuple[Check, ...]] = {
    "documents": (
        has_columns(
            "source_path doc_id content_type title published_date body paragraph_count "
            "removed_line_count",
            "the staging.documents landing table needs these columns",
        ),
        *_contract("documents"),
        matches(
            "doc_id",
            r"^[0-9a-f]{64}$",
            "doc_id is the lowercase SHA-256 hex of the file bytes; anything else is a bug",
        ),
        row_level(
            between(
                "published_date",
                _DATE_WHY + "; null is allowed (an undated article is kept)",
                min_value=EARLIEST_DATE,
                max_value=LATEST_DATE,
            )
        ),
        row_level(
            Check(
                "expect_column_values_to_not_match_regex",
                {"column": "body", "regex": DEBRIS_LINE},
                "a body holding a whole line of known page debris means cleaning missed it",
            )
        ),
    ),
    "meetings": (
        has_columns(
            "meeting_id meeting_date kind location country occasion participants "
            "source_count source_paths quote_count topics",
            "the marts.meetings contract promises these columns to BI users",
        ),
        *_contract("meetings"),
        row_level(
            between(
                "meeting_date",
                _DATE_WHY + "; null is allowed (date unknown)",
                min_value=EARLIEST_DATE,
                max_value=LATEST_DATE,
            )
        ),
        row_level(
            is_true(
                "enough_participants",
                "a meeting or call takes two sides; one name means a participant was missed "
                "(a message may name only its sender)",
                "kind = 'message' or len(participants) >= 2, computed by flows.quality.gate",
            )
        ),
    ),
    "quotes": (
        has_columns(
            "quote_id doc_id source_path speaker quote_text attribution_verb is_partial "
            "paragraph_no published_date outlet meeting_id statement_id topics",
            "the marts.quotes contract promises these columns to BI users",
        ),
        *_contract("quotes"),
        row_level(
            length_between(
                "quote_text",
                2,
                5000,
                "under 2 characters is a stray quote mark; over 5000 is an unclosed quote "
                "that swallowed the article",
            )
        ),
        row_level(
            Check(
                "expect_column_values_to_not_match_regex",
                {"column": "quote_text", "regex": '[“”"]'},
                "a double quotation mark inside the quoted words means two quotes were run "
                "together (nested quotes use single marks)",
            )
        ),
    ),
    "topics": (
        has_columns(
            "meeting_id meeting_date topic label mentions quote_count",
            "the marts.topics contract promises these columns to BI users",
        ),
        *_contract("topics"),
    ),
    "people": (
        has_columns(
            "person country roles aliases",
            "the marts.people contract promises these columns to BI users",
        ),
        *_contract("people"),
    ),
}
