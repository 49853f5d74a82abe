"""The Transcript object against the published spec: what is left out when it has no value."""

from __future__ import annotations

from stenograph.assemblyai.transcripts import ABSENT_WHEN_NULL, transcript_json
from tests.support.spec import admits_null, load_spec
from tests.unit.assemblyai.test_requests import Row


def test_absent_when_null_is_the_specs_optional_non_nullable_properties() -> None:
    components = load_spec()["components"]["schemas"]
    transcript = components["Transcript"]
    required = set(transcript["required"])
    optional_not_nullable = {
        name
        for name, schema in transcript["properties"].items()
        if name not in required and not admits_null(schema, components)
    }
    assert set(ABSENT_WHEN_NULL) == optional_not_nullable


def test_a_queued_transcript_carries_no_null_where_the_spec_forbids_it() -> None:
    components = load_spec()["components"]["schemas"]
    properties = components["Transcript"]["properties"]
    body = transcript_json(Row(status="queued", request={}, result=None, speech_model_used=None))
    nulls_forbidden = [
        name
        for name, value in body.items()
        if value is None and name in properties and not admits_null(properties[name], components)
    ]
    assert nulls_forbidden == []
    assert body["status"] == "queued" and "error" not in body and "speech_model_used" not in body
