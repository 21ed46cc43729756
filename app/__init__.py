"""docqa: ask your documents a question, get the exact sentence that answers it, with a citation.

Importing the package is cheap (no torch, no model). It switches the Hugging Face libraries to
offline mode first, so that nothing docqa does can reach for the network to fetch weights.
"""

import os

for _switch in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(_switch, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"
