"""The operator's mapping of AssemblyAI model names onto the models brought (STENOGRAPH_MODELS)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stenograph.assemblyai.models import (
    accepted_speech_model_names,
    packaged_model_for,
    resolve_speech_model,
    streaming_model_request,
    use_aliases,
)
from stenograph.pipeline.models import use_models
from stenograph.pipeline.types import UnknownSpeechModelError
from tests.support.brought_models import tiny_copy


@pytest.fixture(autouse=True)
def mini(tmp_path: Path) -> Iterator[Path]:
    directory = tiny_copy(tmp_path / "mini")
    use_models({"mini": directory})
    yield directory
    use_aliases({})
    use_models({})


def test_a_brought_model_answers_to_its_own_name() -> None:
    assert packaged_model_for("mini") == "mini" and packaged_model_for(" MINI ") == "mini"
    assert resolve_speech_model(["mini"], None, "tiny.en") == "mini"
    assert resolve_speech_model(None, None, "mini") == "mini"  # STENOGRAPH_DEFAULT_MODEL may name it
    assert "mini" in accepted_speech_model_names()
    # STENOGRAPH_STREAMING_MODEL may name it: English sessions run it
    assert streaming_model_request(None, "mini") == ("mini", False)
    assert streaming_model_request("universal-streaming-english", "mini") == ("mini", False)


def test_aliases_map_assemblyai_names_onto_it() -> None:
    assert packaged_model_for("best") == "base"
    assert use_aliases({"Best": "mini", "universal-3-5-pro": "MINI", "nano": "base"}) == {
        "best": "mini",
        "universal-3-5-pro": "mini",
        "nano": "base",
    }
    assert resolve_speech_model(["best"], None, "tiny.en") == "mini"
    assert resolve_speech_model(None, "universal-3-5-pro", "tiny.en") == "mini"
    assert packaged_model_for("nano") == "base"
    assert packaged_model_for("slam-1") == "base"  # not mapped: the packaged default stays
    use_aliases({})
    assert packaged_model_for("best") == "base"


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ({"large": "mini"}, "not an AssemblyAI model name"),
        ({"tiny.en": "mini"}, "not an AssemblyAI model name"),  # our own names keep their models
        ({"mini": "base"}, "not an AssemblyAI model name"),
        ({"best": "huge"}, "unknown model 'huge'"),
    ],
)
def test_bad_aliases_are_refused_and_change_nothing(aliases: dict[str, str], message: str) -> None:
    use_aliases({"best": "mini"})
    with pytest.raises(ValueError, match=message):
        use_aliases(aliases)
    assert packaged_model_for("best") == "mini"


def test_unknown_names_are_still_refused() -> None:
    with pytest.raises(UnknownSpeechModelError, match="mini"):  # the accepted names include it
        resolve_speech_model(None, "huge", "tiny.en")
