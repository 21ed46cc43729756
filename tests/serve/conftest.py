"""A live server over two collections, for the contract tests of Dify's and OpenAI's APIs."""

from __future__ import annotations

import shutil

import pytest

from app.ingest.pipeline import ingest
from app.settings import Settings
from app.store.collections import collection_settings
from tests.conftest import CORPUS, serve_engine, write_files

EXTRA = {
    "kites.md": "Kites fly best in a steady wind of 15 to 25 km/h. A kite line of braided "
    "polyester does not stretch.",
    "boats/sails.md": "A sloop carries a mainsail and a jib. Reefing the mainsail reduces its "
    "area in strong wind.",
}


@pytest.fixture(scope="module")
def two_collections(tmp_path_factory, real_embedder):
    """The sample corpus as the default collection and a small `extra` one, served live."""
    root = tmp_path_factory.mktemp("integrations")
    shutil.copytree(CORPUS, root / "corpus")
    write_files(root / "extra", EXTRA)
    settings = Settings.from_env(environ={}, corpus=root / "corpus", index=root / "index")
    ingest(settings, embedder=real_embedder)
    ingest(collection_settings(settings, "extra"), [root / "extra"], embedder=real_embedder)
    server, engine = serve_engine(settings, real_embedder)
    yield server, engine
    server.stop()


@pytest.fixture(scope="module")
def keyed_server(two_collections, real_embedder):
    """The same index behind DOCQA_API_KEY=s3cret."""
    _, engine = two_collections
    settings = Settings.from_env(
        {}, corpus=engine.settings.corpus, index=engine.settings.index, api_key="s3cret"
    )
    server, _ = serve_engine(settings, real_embedder)
    yield server
    server.stop()
