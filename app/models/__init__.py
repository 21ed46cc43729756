"""Everything that loads weights: the embedding model and the ONNX files built from it."""
