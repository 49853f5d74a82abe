"""AssemblyAI's LLM Gateway (``../shared/spec/llm-gateway.yml``) on the process's language model."""

from stenograph.api.llm_gateway.routes import router

__all__ = ["router"]
