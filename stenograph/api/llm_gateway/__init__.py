"""AssemblyAI's LLM Gateway (``../shared/spec/llm-gateway.yml``) on the process's language model."""

from stenograph.api.llm_gateway.routes import router
from stenograph.api.llm_gateway.understanding import router as understanding_router

router.include_router(understanding_router)

__all__ = ["router"]
