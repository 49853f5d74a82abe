"""The streaming service counts what it refuses (the sessions it sheds are counted in the load
tests' path, ``StreamingService.shed``)."""

from __future__ import annotations

import pytest

from stenograph import metrics
from stenograph.streaming.service import StreamingService, TooManySessions


def test_a_refused_session_is_counted() -> None:
    service = StreamingService(max_sessions=1, inference_threads=1)
    try:
        before = metrics.STREAMING_REFUSED._value.get()
        service.acquire("a")
        with pytest.raises(TooManySessions):
            service.acquire("b")
        assert metrics.STREAMING_REFUSED._value.get() == before + 1
        assert service.active == 1
    finally:
        service.shutdown()
