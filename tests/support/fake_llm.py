"""A fake language-model backend for fast plumbing tests only (the real models have their own tests)."""

from __future__ import annotations

import threading
import time

from stenograph.llm.types import Generation, GenerationRequest, TokenSink


class FakeBackend:
    """Answers ``reply`` (default: the last message echoed), a word per token; ``hold`` blocks
    every generation until it is set; ``delay_per_token`` slows them."""

    def __init__(
        self, reply: str | None = None, *, delay_per_token: float = 0.0, context_tokens: int = 4096
    ) -> None:
        self.reply = reply
        self.delay_per_token = delay_per_token
        self.hold = threading.Event()
        self.hold.set()
        self.requests: list[GenerationRequest] = []
        self._context = context_tokens

    @property
    def model_name(self) -> str:
        return "fake-model"

    @property
    def context_tokens(self) -> int:
        return self._context

    def generate(
        self, request: GenerationRequest, *, deadline: float, on_token: TokenSink | None = None
    ) -> Generation:
        self.requests.append(request)
        self.hold.wait()
        text = self.reply if self.reply is not None else f"echo: {request.messages[-1].content}"
        pieces = [w + " " for w in text.split(" ")]
        pieces[-1] = pieces[-1].rstrip(" ")
        out: list[str] = []
        finish = "stop"
        for piece in pieces:
            if len(out) >= request.max_tokens:
                finish = "length"
                break
            if time.monotonic() >= deadline:
                finish = "time_limit"
                break
            time.sleep(self.delay_per_token)
            out.append(piece)
            if on_token is not None:
                on_token(piece)
        prompt = sum(len(m.content.split()) for m in request.messages)
        return Generation(
            text="".join(out),
            prompt_tokens=prompt,
            completion_tokens=len(out),
            finish_reason=finish,  # type: ignore[arg-type]
            model=self.model_name,
        )

    def close(self) -> None:
        pass
