"""What docqa's API, the Dify route and the OpenAI route share: the filter schema, the 0..1
relevance score, and the link to a passage's file.

The filter schema is OpenAI's (`{"key", "type", "value"}` comparisons inside `{"type": "and" |
"or", "filters"}` compounds), with docqa's text operators added, so one parser serves docqa's
own `filters` field and OpenAI's; Dify's `metadata_condition` is translated onto the same record.
"""

from __future__ import annotations

import hmac
from typing import Literal
from urllib.parse import quote

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from app.answer.retrieval import DENSE_WEIGHT, KEYWORD_WEIGHT, RRF_K
from app.records import Passage
from app.store.collections import DEFAULT
from app.store.filters import MAX_CONDITIONS, Filter, compound, condition, file_type

ComparisonType = Literal[
    "eq", "ne", "gt", "gte", "lt", "lte", "in", "nin",
    "prefix", "suffix", "contains", "not_contains", "glob",
]  # fmt: skip
ScalarValue = StrictStr | StrictInt | StrictFloat


class ComparisonFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: StrictStr = Field(
        max_length=64, description="`source`, `type` (file suffix), `page` or `modified`."
    )
    type: ComparisonType
    value: ScalarValue | list[ScalarValue] = Field(
        description="A string or number; a list for `in` and `nin`; `modified` takes Unix "
        "seconds or an ISO 8601 date."
    )


class CompoundFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["and", "or"]
    filters: list[ComparisonFilter | CompoundFilter] = Field(
        min_length=1, max_length=MAX_CONDITIONS
    )


FilterIn = ComparisonFilter | CompoundFilter


def to_filter(given: FilterIn | None) -> Filter | None:
    """The filter record of a request's filter; FilterError names a condition it cannot apply."""
    if given is None:
        return None
    if isinstance(given, ComparisonFilter):
        return condition(given.key, given.type, given.value)
    return compound(given.type, [to_filter(item) for item in given.filters])


# The best fused score there is: first in both rankings.
BEST_FUSED = (DENSE_WEIGHT + KEYWORD_WEIGHT) / (RRF_K + 1)


def relevance(passage: Passage) -> float:
    """The 0..1 score Dify's `score_threshold` and OpenAI's `score_threshold` compare with: the
    fused (reciprocal rank fusion) score over the best one possible. It orders passages exactly
    as the ranking does, and its scale is the same for every query: 1.0 is first in both the
    dense and the keyword ranking, 0.5 first in one and absent from the other, and rank r in
    both is 21 / (20 + r) (0.7 at rank 10, 0.35 at rank 40)."""
    return round(min(1.0, max(0.0, passage.score / BEST_FUSED)), 6)


def file_link(source: str, collection: str, page: int | None = None) -> str:
    """The server path that serves a passage's file (the page anchor opens a PDF there)."""
    link = "/files/" + quote(source)
    if collection != DEFAULT:
        link += "?collection=" + quote(collection)
    return link + (f"#page={page}" if page else "")


def passage_metadata(
    passage: Passage, collection: str, modified: float | None = None
) -> dict[str, str | int | float]:
    """What a passage's file and place are, for Dify's `metadata` and OpenAI's `attributes`:
    only strings and numbers, and no key without a value. The keys a filter takes (`source`,
    `type`, `page`, `modified`: the file's mtime in Unix seconds) are among them."""
    found: dict[str, str | int | float | None] = {
        "source": passage.source,
        "type": file_type(passage.source),
        "page": passage.page,
        "location": passage.location,
        "modified": modified,
        "start": passage.start,
        "end": passage.end,
        "chunk_id": passage.id,
        "collection": collection,
        "url": file_link(passage.source, collection, passage.page),
    }
    return {key: value for key, value in found.items() if value is not None}


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None if the header is not that."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def key_matches(token: str | None, api_key: str) -> bool:
    """Whether `token` is the API key, compared in constant time."""
    return token is not None and hmac.compare_digest(token.encode(), api_key.encode())
