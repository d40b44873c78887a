"""Optional LLM insight engines: any OpenAI-compatible chat server (Ollama, LM Studio,
llama.cpp), or a GGUF model run in a child process (llama-cpp-python)."""

from desktop.core.insights.llm.asking import GenerationReport
from desktop.core.insights.llm.client import ChatClient, LLMConfig, LLMHTTPError
from desktop.core.insights.llm.engine import ChatInsightEngine, OpenAICompatibleEngine

__all__ = [
    "ChatClient",
    "ChatInsightEngine",
    "GenerationReport",
    "LLMConfig",
    "LLMHTTPError",
    "OpenAICompatibleEngine",
]
