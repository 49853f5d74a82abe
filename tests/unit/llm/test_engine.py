"""The engine's queue, limits and backends' plumbing (a fake backend; the real models: test_local.py)."""

from __future__ import annotations

import threading
import time

import pytest

from stenograph.llm import ChatMessage, EngineBusy, GenerationRequest, InvalidGenerationRequest, LLMEngine
from tests.support.fake_llm import FakeBackend


def _request(text: str = "hello there", max_tokens: int = 50) -> GenerationRequest:
    return GenerationRequest(messages=(ChatMessage("user", text),), max_tokens=max_tokens)


def test_generation_streams_tokens_and_reports_usage() -> None:
    engine = LLMEngine(FakeBackend())
    pieces: list[str] = []
    result = engine.generate(_request("one two"), on_token=pieces.append)
    assert result.text == "echo: one two"
    assert "".join(pieces) == result.text
    assert (result.prompt_tokens, result.completion_tokens, result.finish_reason) == (2, 3, "stop")


def test_token_cap_is_applied() -> None:
    engine = LLMEngine(FakeBackend("a b c d e f"), max_tokens_cap=3)
    result = engine.generate(_request(max_tokens=100))
    assert (result.text, result.finish_reason) == ("a b c ", "length")


def test_time_limit_ends_a_generation() -> None:
    engine = LLMEngine(FakeBackend("a " * 100, delay_per_token=0.02), time_limit_s=0.2)
    started = time.monotonic()
    result = engine.generate(_request(max_tokens=1000))
    assert result.finish_reason == "time_limit"
    assert time.monotonic() - started < 1.5
    assert 0 < result.completion_tokens < 100


def test_full_queue_is_refused_at_once_with_a_retry_hint() -> None:
    backend = FakeBackend()
    backend.hold.clear()
    engine = LLMEngine(backend, max_waiting=2)
    futures = [engine.submit(_request()) for _ in range(3)]  # one running, two waiting
    started = time.monotonic()
    with pytest.raises(EngineBusy) as refused:
        engine.submit(_request())
    assert time.monotonic() - started < 0.1
    assert refused.value.retry_after_s >= 1
    backend.hold.set()
    assert all(f.result(timeout=5).text for f in futures)
    assert engine.generate(_request()).text  # room again


def test_generations_run_one_at_a_time() -> None:
    backend = FakeBackend(delay_per_token=0.01)
    running = []
    lock = threading.Lock()
    engine = LLMEngine(backend)

    def watch(_piece: str) -> None:
        with lock:
            running.append(threading.current_thread().name)

    futures = [engine.submit(_request(), on_token=watch) for _ in range(3)]
    for f in futures:
        f.result(timeout=5)
    assert len(set(running)) == 1


def test_max_tokens_below_one_is_refused() -> None:
    with pytest.raises(InvalidGenerationRequest):
        LLMEngine(FakeBackend()).submit(_request(max_tokens=0))


def test_a_cancelled_waiting_request_frees_its_place() -> None:
    backend = FakeBackend()
    backend.hold.clear()
    engine = LLMEngine(backend, max_waiting=1)
    running = engine.submit(_request())
    waiting = engine.submit(_request())
    with pytest.raises(EngineBusy):
        engine.submit(_request())
    assert waiting.cancel()
    another = engine.submit(_request())  # the cancelled one's place
    backend.hold.set()
    assert running.result(timeout=5).text and another.result(timeout=5).text
