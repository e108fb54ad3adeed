"""Schemathesis fuzzes every operation of the real server from its OpenAPI schema: valid
requests are answered as the schema says, invalid ones are refused with a 4xx, nothing ends
in a 5xx. The server has its own index (random documents are added to it) and answers
extractively (instant). Hypothesis drives each operation directly: schemathesis' pytest
loader for fixture-served schemas does not run on pytest 9. The examples are derandomized so
that CI runs the same cases every time; raise EXAMPLES locally to search further. Each
request may take up to TIMEOUT_S: this tests the schema, not speed (schemathesis' own 10 s
read timeout failed a 0.3 s request once, when a busy shared machine stalled)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api import create_app
from rag.serving import Service

EXAMPLES = 8  # per operation and mode: a bounded run, not a search
TIMEOUT_S = 120


@pytest.fixture(scope="module")
def schema(new_service: Callable[..., Service], serve) -> Iterator[schemathesis.BaseSchema]:  # noqa: ANN001
    with serve(create_app(new_service())) as base:
        yield schemathesis.openapi.from_url(f"{base}/openapi.json")


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_the_schema_holds(schema: schemathesis.BaseSchema,
                          mode: schemathesis.GenerationMode) -> None:
    for result in schema.get_all_operations():
        operation = result.ok()
        if not mode.is_positive and not operation.get_request_payload_content_types():
            continue  # nothing to get wrong in a GET without parameters

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(timeout=TIMEOUT_S)

        call()
