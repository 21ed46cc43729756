"""`docqa serve`: the JSON API and the chat UI in one uvicorn process, bound to loopback."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from app.engine import Engine
from app.serve.api import create_app
from app.settings import Settings
from app.store.collections import DEFAULT, valid_name

log = logging.getLogger("docqa")


def build_server(engine: Engine) -> FastAPI:
    """The API under /api and /files, with the Gradio chat mounted at /."""
    import gradio as gr

    from app.serve.ui import CSS, HEAD, build_ui

    app = create_app(engine)
    return gr.mount_gradio_app(
        app,
        build_ui(engine),
        path="/",
        css=CSS,
        head=HEAD,
        footer_links=["api"],
        theme=gr.themes.Soft(),
        server_name=engine.settings.host,
        server_port=engine.settings.port,
    )


def serve(settings: Settings, collection: str = DEFAULT) -> None:
    """Serve until interrupted; requests that name no collection get `collection`."""
    import uvicorn

    engine = Engine(settings)
    engine.default_collection = valid_name(collection)
    engine.warm_up()
    if settings.watch:
        from app.serve.watch import FolderWatcher

        watcher = FolderWatcher(engine).start()
        print(f"docqa: watching {', '.join(map(str, watcher.folders))}", flush=True)
    app = build_server(engine)
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("docqa is listening on %s, reachable from other machines", settings.host)
    print(f"docqa: serving http://{settings.host}:{settings.port}/ (API docs at /docs)", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
