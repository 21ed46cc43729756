"""One module per family of file formats. Each has `SUFFIXES` and `read(data, max_pages)`, which
returns the file's pages or raises ExtractionError with a reason a user can act on."""
