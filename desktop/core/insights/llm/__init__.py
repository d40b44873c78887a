"""Optional LLM insight engine: any OpenAI-compatible chat server (Ollama, LM Studio, llama.cpp)."""

from desktop.core.insights.llm.client import ChatClient, LLMConfig, LLMHTTPError
from desktop.core.insights.llm.engine import GenerationReport, OpenAICompatibleEngine

__all__ = [
    "ChatClient",
    "GenerationReport",
    "LLMConfig",
    "LLMHTTPError",
    "OpenAICompatibleEngine",
]
