"""LeMUR v3, the API that the LLM Gateway replaced upstream; older SDKs and programs still call it."""

from stenograph.api.lemur.routes import router

__all__ = ["router"]
