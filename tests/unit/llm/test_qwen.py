"""The packaged model, for real: its 22 parts joined and verified, then generations (slow: the
first join reads 1.1 GB, and the model answers at about 30 tokens/s on 2 cores)."""

from __future__ import annotations

import json
import time

import pytest

from stenograph.llm import ChatMessage, GenerationRequest
from stenograph.llm.factory import LLMSettings, build_engine
from stenograph.llm.files import QWEN_SHA256, QWEN_SIZE, qwen_model_path
from tests.support.llm_models import model_cache_dir

pytestmark = pytest.mark.slow

CALL = (
    "A: Thanks for calling Northwind support, this is Priya. B: Hi, my router keeps dropping the "
    "connection every evening. A: I'm sorry to hear that. Can I have your account number? "
    "B: Sure, it's 4471. A: Thanks. I'll send a replacement router; it should arrive on Thursday."
)


def test_parts_join_into_qwens_file() -> None:
    path = qwen_model_path(model_cache_dir())
    assert path.stat().st_size == QWEN_SIZE
    assert path.with_name(path.name + ".verified-sha256").read_text().strip() == QWEN_SHA256


def test_qwen_answers_over_a_transcript_and_follows_a_schema() -> None:
    engine = build_engine(LLMSettings(cache_dir=model_cache_dir(), context_tokens=2048))
    try:
        started = time.monotonic()
        answer = engine.generate(
            GenerationRequest(
                messages=(
                    ChatMessage("system", "Answer from the transcript, in a few words."),
                    ChatMessage("user", f"Transcript:\n{CALL}\n\nWhen will the replacement arrive?"),
                ),
                max_tokens=20,
            )
        )
        assert "thursday" in answer.text.lower(), answer.text
        assert answer.model == "qwen2.5-coder-1.5b-instruct-q4_k_m"
        schema = {
            "type": "object",
            "properties": {"agent_name": {"type": "string"}, "account_number": {"type": "string"}},
            "required": ["agent_name", "account_number"],
            "additionalProperties": False,
        }
        structured = engine.generate(
            GenerationRequest(
                messages=(ChatMessage("user", f"Transcript:\n{CALL}\n\nExtract the agent and the account."),),
                max_tokens=60,
                json_schema=schema,
            )
        )
        value = json.loads(structured.text)
        assert value["agent_name"].lower().startswith("priya") and "4471" in value["account_number"]
        assert time.monotonic() - started < 120
    finally:
        engine.shutdown()
