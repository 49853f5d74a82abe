"""The cache of rendered transcript bodies: keyed by version, bounded in bytes, oldest use out first."""

from __future__ import annotations

import datetime as dt
import json

from stenograph.api.rendered import RenderedBodies, render_json

T0 = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def test_a_new_version_is_a_miss() -> None:
    cache = RenderedBodies(max_bytes=1000)
    cache.put(("a", T0, None), b"completed")
    assert cache.get(("a", T0, None)) == b"completed"
    assert cache.get(("a", T0 + dt.timedelta(seconds=1), None)) is None  # deleted since
    assert cache.get(("a", T0, 200)) is None  # a webhook answer recorded since


def test_bounded_in_bytes_dropping_the_least_recently_used() -> None:
    cache = RenderedBodies(max_bytes=10)
    cache.put(("a", T0, None), b"aaaa")
    cache.put(("b", T0, None), b"bbbb")
    assert cache.get(("a", T0, None)) == b"aaaa"  # a is now the most recently used
    cache.put(("c", T0, None), b"cccc")
    assert cache.get(("b", T0, None)) is None
    assert cache.get(("a", T0, None)) == b"aaaa" and cache.get(("c", T0, None)) == b"cccc"
    assert cache.size_bytes == 8
    cache.put(("huge", T0, None), b"x" * 11)  # larger than the whole budget: not kept
    assert cache.get(("huge", T0, None)) is None and cache.size_bytes == 8


def test_rendering_matches_what_the_json_response_sent_before() -> None:
    body = {"text": "Grüße, 10 %", "words": [{"start": 0, "confidence": 0.5}], "error": None}
    assert json.loads(render_json(body)) == body
    assert (
        render_json(body)
        == '{"text":"Grüße, 10 %","words":[{"start":0,"confidence":0.5}],"error":null}'.encode()
    )


def test_a_stored_lone_surrogate_or_nan_still_renders_valid_json() -> None:
    body = {"text": "a\ud800b", "pair": "\ud83d\ude00", "confidence": float("nan"), "n": [float("inf"), 1.5]}
    rendered = render_json(body)
    assert json.loads(rendered.decode("utf-8")) == {
        "text": "a\ufffdb",
        "pair": "\U0001f600",
        "confidence": None,
        "n": [None, 1.5],
    }
