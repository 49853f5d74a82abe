"""The v3 streaming query parameters (``parse_v3_params``) and the errors for bad ones."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams


def test_v3_parameters() -> None:
    from stenograph.api.streaming.params import ParamError, parse_v3_params
    from stenograph.config import Settings

    settings = Settings()
    options = parse_v3_params(
        QueryParams(
            "sample_rate=8000&encoding=pcm_mulaw&format_turns=True&end_of_turn_confidence_threshold=0.7"
            "&min_end_of_turn_silence_when_confident=300&max_turn_silence=900"
            '&keyterms_prompt=["Stenograph","AssemblyAI"]&language_detection=TRUE&vad_threshold=0.5'
        ),
        settings,
    )
    assert options.converter.sample_rate == 8000 and options.converter.encoding == "pcm_mulaw"
    assert options.format_turns and options.language_detection and options.model == "tiny.en"
    assert options.config.end_of_turn_confidence_threshold == 0.7
    assert (options.config.min_turn_silence_ms, options.config.max_turn_silence_ms) == (300, 900)
    assert options.config.keyterms == ("Stenograph", "AssemblyAI")
    assert options.config.vad_threshold == 0.5 and options.config.language == "en"
    repeated = parse_v3_params(
        QueryParams("keyterms_prompt=one&keyterms_prompt=two&min_turn_silence=200"), settings
    )
    assert repeated.config.keyterms == ("one", "two") and repeated.config.min_turn_silence_ms == 200
    multilingual = parse_v3_params(QueryParams("speech_model=universal-streaming-multilingual"), settings)
    assert multilingual.model == "base" and multilingual.config.language is None
    german = parse_v3_params(QueryParams('language_codes=["de"]'), settings)
    assert german.model == "base" and german.config.language == "de"
    for bad in ("sample_rate=abc", "encoding=flac", "format_turns=perhaps", "keyterms_prompt=[1,2]",
                "speech_model=nope", "max_turn_silence=-1", 'language_codes=["xx"]'):  # fmt: skip
        with pytest.raises(ParamError):
            parse_v3_params(QueryParams(bad), settings)


@pytest.mark.parametrize(
    "query",
    [
        "webhook_url=https://example.com/hook",
        'llm_gateway={"model":"x"}',
        "domain=medical-v1",
        "prompt=Names: Ada",
        "agent_context=A pizza order",
        "filter_profanity=true",
        "voice_focus=near-field",
        "mode=min_latency",
        "interruption_delay=500",
        "turn_left_pad_ms=200",
        "customer_support_audio_capture=true",
    ],
)
def test_parameters_of_features_not_built_are_refused_by_name(query: str) -> None:
    from stenograph.api.streaming.params import ParamError, parse_v3_params, refuse_unbuilt
    from stenograph.config import Settings

    name = query.split("=", 1)[0]
    with pytest.raises(ParamError, match=f"^{name}: not supported"):
        parse_v3_params(QueryParams(query), Settings())
    value = query.split("=", 1)[1]
    with pytest.raises(ParamError, match=f"^{name}: not supported"):  # mid-session as well
        refuse_unbuilt({"type": "UpdateConfiguration", name: True if value == "true" else value})


def test_parameters_that_ask_for_nothing_are_accepted() -> None:
    from stenograph.api.streaming.params import parse_v3_params, refuse_unbuilt
    from stenograph.config import Settings

    parse_v3_params(QueryParams("speaker_labels=false&redact_pii=False&mode=balanced&prompt="), Settings())
    refuse_unbuilt({"type": "UpdateConfiguration", "filter_profanity": False, "interruption_delay": 0})


def test_redaction_parameters() -> None:
    from stenograph.api.streaming.params import ParamError, parse_v3_params, refuse_open_only
    from stenograph.config import Settings

    options = parse_v3_params(
        QueryParams(
            'redact_pii=true&redact_pii_policies=["person_name","phone_number"]&redact_pii_sub=entity_name'
        ),
        Settings(),
    )
    assert options.redact_pii == (("person_name", "phone_number"), "entity_name")
    repeated = parse_v3_params(
        QueryParams("redact_pii=true&redact_pii_policies=email_address&redact_pii_policies=url"), Settings()
    )
    assert repeated.redact_pii == (("email_address", "url"), "hash")
    assert parse_v3_params(QueryParams("redact_pii=false"), Settings()).redact_pii is None
    for bad, named in (
        ("redact_pii=true", "redact_pii_policies"),
        ('redact_pii=true&redact_pii_policies=["nope"]', "nope"),
        ('redact_pii=true&redact_pii_policies=["physical_attribute"]', "physical_attribute"),
        ('redact_pii=true&redact_pii_policies=["url"]&redact_pii_sub=x', "redact_pii_sub"),
    ):
        with pytest.raises(ParamError, match=named):
            parse_v3_params(QueryParams(bad), Settings())
    with pytest.raises(ParamError, match=r"^redact_pii: can only be set when the session opens"):
        refuse_open_only({"type": "UpdateConfiguration", "redact_pii": True})


def test_speaker_label_parameters() -> None:
    from stenograph.api.streaming.params import ParamError, parse_v3_params, speaker_settings_change
    from stenograph.config import Settings

    settings = Settings()
    plain = parse_v3_params(QueryParams(""), settings)
    assert not plain.speaker_labels and plain.max_speakers is None
    options = parse_v3_params(
        QueryParams("speaker_labels=True&max_speakers=2&speaker_labels_revision_interval_ms=0"), settings
    )
    assert options.speaker_labels and options.max_speakers == 2
    assert options.speaker_labels_revision_interval_ms == 0
    for bad in ("max_speakers=0", "max_speakers=two", "speaker_labels_revision_interval_ms=-1",
                "speaker_labels_revision_interval_ms=86400001", "speaker_labels=perhaps"):  # fmt: skip
        with pytest.raises(ParamError):
            parse_v3_params(QueryParams(bad), settings)
    # Mid-session: the same values are fine, a change is refused (the labels so far would not hold).
    speaker_settings_change({"speaker_labels": True, "max_speakers": 2}, options)
    for change in (
        {"speaker_labels": False},
        {"max_speakers": 3},
        {"speaker_labels_revision_interval_ms": 1},
    ):
        with pytest.raises(ParamError, match="when connecting"):
            speaker_settings_change(change, options)


def test_compressed_encodings_need_no_sample_rate() -> None:
    from stenograph.api.streaming.params import ParamError, audio_params, parse_v3_params
    from stenograph.config import Settings
    from stenograph.streaming.audio import PCM_ENCODINGS, CompressedConverter

    for encoding in ("opus", "ogg_opus", "aac"):
        options = parse_v3_params(QueryParams(f"encoding={encoding}"), Settings())
        assert isinstance(options.converter, CompressedConverter) and options.converter.encoding == encoding
        # A rate given with them (the SDKs may send one) is checked and otherwise ignored.
        parse_v3_params(QueryParams(f"encoding={encoding}&sample_rate=48000"), Settings())
    with pytest.raises(ParamError, match="sample_rate is required"):  # v2: PCM needs its rate
        audio_params(QueryParams("encoding=pcm_s16le"), default_rate=None, encodings=PCM_ENCODINGS)
    with pytest.raises(ParamError, match="Supported: pcm_s16le, pcm_mulaw"):  # v2 has no compressed audio
        audio_params(
            QueryParams("encoding=opus&sample_rate=8000"), default_rate=None, encodings=PCM_ENCODINGS
        )


def test_language_steering() -> None:
    from stenograph.api.streaming.params import ParamError, language_steering

    assert language_steering("base", []) == (None, ())
    assert language_steering("base", ["de"]) == ("de", ("de",))
    assert language_steering("base", ["es", "en_us"]) == (None, ("es", "en"))
    assert language_steering("tiny.en", ["en"]) == ("en", ()) == language_steering("tiny.en", [])
    with pytest.raises(ParamError, match="English-only"):
        language_steering("tiny.en", ["de"])
    with pytest.raises(ParamError, match="unsupported"):
        language_steering("base", ["xx"])
