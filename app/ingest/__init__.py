"""Files -> pages -> chunks: scan the corpus, find what changed, extract each file in a sandbox,
chunk it, embed it with app.models and write it to app.store (`pipeline.ingest`)."""
