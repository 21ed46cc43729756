from pathlib import Path

import pytest

from app.settings import Settings, describe

ROOT = Path(__file__).resolve().parents[1]


def test_environment_overrides_defaults_and_flags_override_environment():
    settings = Settings.from_env({"DOCQA_CHUNK_TOKENS": "128", "DOCQA_PORT": "9000"}, port=9100)
    assert settings.chunk_tokens == 128
    assert settings.port == 9100
    assert settings.host == "127.0.0.1"


def test_a_malformed_value_names_the_variable():
    with pytest.raises(ValueError, match="DOCQA_BATCH_SIZE"):
        Settings.from_env({"DOCQA_BATCH_SIZE": "many"})


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name, _, _ in describe() if name not in readme]
    assert not missing, f"README.md does not document {missing}"
