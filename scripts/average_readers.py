"""Average two readers weight for weight, and choose the no-answer bias again on validation.

Two readers fine-tuned from the same one lie close enough that their average is a reader too,
and it lands between them: the shipped reader of stop 49 is the average of stop 43's and of one
trained further on docqa's everyday questions, which kept about 60% of that reader's everyday
gain for a third of its loss on SQuAD validation (MODEL_CARD.md):

    .venv/bin/python scripts/average_readers.py <reader A> <reader B> --out <dir>

Each stored tensor is averaged in fp32 and stored in A's dtype; the config is B's, with the
average's validation figures and its no-answer bias.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import torch


def averaged(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The mean of two readers' stored tensors, name by name; they must store the same names."""
    if a.keys() != b.keys():
        raise ValueError(f"the readers store different tensors: {sorted(a.keys() ^ b.keys())[:5]}")
    return {name: ((a[name].float() + b[name].float()) / 2).to(a[name].dtype) for name in a}


def main(argv: list[str] | None = None) -> int:
    """Write the average of two readers to `--out`, with its validation figures."""
    import train_reader as tr
    from reader_forms import squad_sets, validated, write_config
    from reader_model import load_shipped
    from safetensors.torch import load_file, save_file
    from transformers import AutoTokenizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="a reader folder (reader.safetensors, reader_config)")
    parser.add_argument("b", type=Path, help="another, trained from the same start")
    parser.add_argument("--out", type=Path, required=True, help="folder for the average")
    args = parser.parse_args(argv)
    for folder in (args.a, args.b):
        if not (folder / "reader.safetensors").is_file():
            parser.error(f"{folder} holds no reader.safetensors")
    stored = [load_file(str(folder / "reader.safetensors")) for folder in (args.a, args.b)]
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(averaged(*stored), str(args.out / "reader.safetensors"))
    torch.set_num_threads(2)
    _, val_pos, _, val_neg = squad_sets(random.Random(13))  # reader_forms.py's default seed
    base = tr.base_model_dir()
    model = load_shipped(args.out, base, tr.WORD_EMBEDDINGS)
    tok = AutoTokenizer.from_pretrained(str(base))
    em, f1, bias, accuracy = validated(model, tok, val_pos, val_neg, False)
    print(f"VALIDATION EM {em:.3f} F1 {f1:.3f}; no-answer bias {bias:.3f} acc {accuracy:.3f}")
    configs = [
        json.loads((folder / "reader_config.json").read_text()) for folder in (args.a, args.b)
    ]
    continued = {
        "average_of": [c.get("continued", c.get("validation")) for c in configs],
        "validations": [c.get("validation") for c in configs],
    }
    write_config(args.out, configs[1], (em, f1, bias, accuracy), continued)
    return 0


if __name__ == "__main__":
    sys.exit(main())
