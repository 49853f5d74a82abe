"""Webhook delivery's pure parts (the live-server deliveries are in tests/e2e/test_webhooks.py)."""

from __future__ import annotations

from stenograph.jobs.webhooks import MAX_RETRY_DELAY_SECONDS, retry_delay


def test_retry_delay_doubles_and_is_capped() -> None:
    assert [retry_delay(5, n) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(5, 9) == MAX_RETRY_DELAY_SECONDS
