"""Language models behind one small interface (``types.py``): a GGUF model run in-process by
llama.cpp (``local.py``; the packaged Qwen2.5-Coder-1.5B-Instruct, ``files.py``) or any
OpenAI-compatible endpoint (``remote.py``), behind one bounded queue per process (``engine.py``).
Imports nothing else of ours."""

from stenograph.llm.engine import LLMEngine
from stenograph.llm.types import (
    Backend,
    ChatMessage,
    ContextTooLong,
    EngineBusy,
    Generation,
    GenerationRequest,
    InvalidGenerationRequest,
    LLMError,
)

__all__ = [
    "Backend",
    "ChatMessage",
    "ContextTooLong",
    "EngineBusy",
    "Generation",
    "GenerationRequest",
    "InvalidGenerationRequest",
    "LLMEngine",
    "LLMError",
]
