"""Which server is configured, and asking it for its models (a real local HTTP server)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop.core.errors import EarmarkError
from desktop.core.settings import Settings
from desktop.services.llm_settings import configured_llm, list_models, llm_config


class NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_error(404, "Not Found")

    def log_message(self, *args: object) -> None:
        pass


def test_404_without_v1_suggests_adding_it() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(EarmarkError, match=r"404.*/v1"):
            list_models(llm_config(url, "m", settings=Settings()))
        with pytest.raises(EarmarkError) as info:
            list_models(llm_config(url + "/v1", "m", settings=Settings()))
        assert "404" in str(info.value) and "/v1 at the end" not in str(info.value)
    finally:
        server.shutdown()


def test_nothing_is_configured_by_default(monkeypatch) -> None:
    for name in ("EARMARK_LLM_URL", "EARMARK_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert configured_llm(Settings()) is None


def test_api_key_variable_flag_then_setting_then_default(monkeypatch) -> None:
    monkeypatch.setenv("EARMARK_LLM_API_KEY", "default-key")
    monkeypatch.setenv("MY_KEY", "my-key")
    monkeypatch.setenv("FLAG_KEY", "flag-key")
    saved = Settings(llm_model="m", llm_api_key_env="MY_KEY")
    assert llm_config(settings=saved).api_key == "my-key"
    assert llm_config(api_key_env="FLAG_KEY", settings=saved).api_key == "flag-key"
    assert llm_config(settings=Settings(llm_model="m")).api_key == "default-key"
