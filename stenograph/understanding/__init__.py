"""Speech understanding without an LLM: annotations of a finished transcript's text. Plain text in,
plain annotations out; no HTTP, no SQL, nothing of ours imported (the pipeline's orchestrator calls
it after speakers and guardrails, with the sentences it cut).

Built: ``sentiment`` (sentiment_analysis). English only.
"""
