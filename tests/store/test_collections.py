"""Collections: named document sets side by side in one store, never seeing each other."""

from __future__ import annotations

import dataclasses

import pytest

from app.engine import Engine
from app.ingest.pipeline import ingest
from app.settings import Settings
from app.store.collections import (
    DEFAULT,
    UnknownCollectionError,
    collection_settings,
    milvus_names,
    milvus_prefix,
    valid_name,
)
from tests.conftest import write_files

STORES = ["faiss", "milvus"]


@pytest.mark.parametrize(
    "name", ["", ".", "..", "../x", "a/b", "a\\b", "-a", "_a", "a b", "x" * 65, "é", "a\x00"]
)
def test_names_that_could_leave_the_folder_are_refused(name):
    with pytest.raises(ValueError, match="collection name"):
        valid_name(name)


def test_a_named_collection_lives_under_the_index_and_under_its_own_milvus_prefix(tmp_path):
    settings = Settings.from_env(environ={}, index=tmp_path / "index")
    assert collection_settings(settings, DEFAULT) is settings
    named = collection_settings(settings, "team-notes_2026")
    assert named.index == tmp_path / "index" / "collections" / "team-notes_2026"
    assert named.milvus_collection == "docqa_c_team_dnotes_u2026"


def test_milvus_prefixes_are_one_to_one():
    names = ["a_b", "a-b", "a_ub", "a__b", "x_files", "files", "A1"]
    prefixes = [milvus_prefix("docqa", n) for n in names]
    assert len(set(prefixes)) == len(names)
    tables = [p + "_files" for p in prefixes] + [p + "_chunks" for p in prefixes]
    tables += ["docqa_files", "docqa_chunks", "other_c_a_files", "docqa_c_bad_x_files"]
    assert milvus_names("docqa", tables) == sorted(names)


def _engine(settings: Settings, embedder) -> Engine:
    engine = Engine(settings)
    engine.embedder = embedder
    engine._expected = dataclasses.replace(engine._expected, model=embedder.name, dim=embedder.dim)
    return engine


@pytest.mark.parametrize("store", STORES)
def test_two_collections_side_by_side_never_see_each_others_passages(tmp_path, fake_embedder,
                                                                     store):  # fmt: skip
    if store == "milvus":
        pytest.importorskip("milvus_lite")
    for name in ("default", "kites", "boats"):
        write_files(
            tmp_path / name,
            {f"{name}-{i}.md": f"{name} note {i}: lines, sails, wind and rope." for i in range(4)},
        )
    settings = Settings.from_env(
        environ={},
        index=tmp_path / "index",
        store=store,
        milvus_uri=str(tmp_path / "milvus.db"),
    )
    engine = _engine(settings, fake_embedder)
    for name in ("default", "kites", "boats"):
        report = ingest(engine.settings_of(name), [tmp_path / name], embedder=fake_embedder)
        assert report.chunks_total == 4
    assert engine.collections.names() == ["default", "boats", "kites"]
    for name in ("default", "kites", "boats"):
        for mode in ("dense", "keyword", "hybrid"):
            found = engine.search("lines sails wind rope note", 50, mode, collection=name)
            assert len(found) == 4 and {p.source.split("-")[0] for p in found} == {name}
        assert engine.status(name)["documents"] == 4
        assert engine.locate(f"{name}-0.md", name) == (tmp_path / name / f"{name}-0.md").resolve()
    assert engine.locate("kites-0.md") is None  # the default collection has no such file
    with pytest.raises(UnknownCollectionError, match="no collection named 'planes'"):
        engine.search("wind", collection="planes")
    with pytest.raises(UnknownCollectionError, match="letters, digits"):
        engine.search("wind", collection="../index")
