"""Speech understanding that needs a language model, on a finished transcript (its stored JSON, the
AssemblyAI wire shape as plain dicts): summaries (``summarization``), chapters (``auto_chapters``
and ``speech_understanding.request.summarization``), speaker identification and translation. Run
by the jobs layer after the pipeline (the pipeline never imports a language model) and by the LLM
Gateway's ``/v1/understanding``. Imports ``llm`` and ``understanding`` only."""

from stenograph.llmtasks.context import fit_transcripts
from stenograph.llmtasks.run import LLMTaskError, TaskRequest, run_tasks

__all__ = ["LLMTaskError", "TaskRequest", "fit_transcripts", "run_tasks"]
