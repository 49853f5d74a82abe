"""The process's Prometheus metrics (``prometheus-client``), defined once, counted where things
happen: jobs (``jobs/``), webhooks, streaming sessions and decodes (``streaming/``), HTTP requests
(``api/observe.py``). Imports nothing of ours, so any layer may count.

Counters and histograms are per process: a fleet's totals are the sum over its processes. What the
database holds (jobs by status, the queue) is read from the rows when scraped, by the runtime's
collector (``runtime.RuntimeCollector``), so every process reports the same truth."""

from __future__ import annotations

from prometheus_client import Counter, Histogram, disable_created_metrics

disable_created_metrics()  # no *_created series: they double the output and no dashboard reads them

# Seconds: from a second to two hours (a job), from 10 ms to 10 s (a streaming decode, a request).
_JOB_BUCKETS = (1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)
_SHORT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

JOBS_FINISHED = Counter(
    "stenograph_jobs_finished_total", "Transcript jobs finished by this process", ["model", "status"]
)
JOB_DURATION = Histogram(
    "stenograph_job_duration_seconds",
    "Time a job ran in this process, from its claim to its stored outcome",
    ["model", "status"],
    buckets=_JOB_BUCKETS,
)
AUDIO_SECONDS = Counter(
    "stenograph_audio_seconds_processed_total", "Seconds of audio of completed jobs", ["model"]
)
STREAMING_SHED = Counter(
    "stenograph_streaming_sessions_shed_total", "Live sessions closed to keep the others in real time"
)
STREAMING_REFUSED = Counter(
    "stenograph_streaming_sessions_refused_total", "Live sessions refused at admission (limit or lag)"
)
STREAMING_DECODE = Histogram(
    "stenograph_streaming_decode_seconds",
    "Latency of a live session's decode: waiting for an inference thread, then decoding",
    buckets=_SHORT_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "stenograph_http_requests_total",
    "HTTP requests and WebSocket sessions by route template and status",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "stenograph_http_request_duration_seconds",
    "Time to answer an HTTP request (WebSocket sessions not included)",
    ["method", "route"],
    buckets=_SHORT_BUCKETS,
)
WEBHOOK_DELIVERIES = Counter(
    "stenograph_webhook_deliveries_total",
    "Webhook delivery attempts by kind and outcome "
    "(delivered: 2xx/3xx, rejected: 4xx, server_error: 5xx, unreachable, blocked: address policy)",
    ["kind", "outcome"],
)


def webhook_outcome(status_code: int) -> str:
    """The outcome label of a webhook answered with ``status_code``."""
    if status_code >= 500:
        return "server_error"
    if status_code >= 400:
        return "rejected"
    return "delivered"
