"""Train the reader further (one epoch unless `--epochs`) on the SQuAD training examples and
questions about made-up forms, tables, lists and letters (scripts/forms_data.py), and, with
`--kinds`, on what docqa's reader reads for the questions of scripts/kinds (kinds_reads.py).

The SQuAD recipe's reader (train_reader.py, MODEL_CARD.md) was trained this way with 2,500 of
those questions at stop 43:

    .venv/bin/python scripts/reader_forms.py --start <train_reader.py's --out> --out <dir>

MODEL_CARD.md gives the commands that made the shipped reader.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from forms_data import form_examples
from kinds_reads import examples_of as kinds_examples
from kinds_reads import reads_of

# Figures of the reader a new one starts from, which do not hold for the new one.
STALE = ("evaluation", "shipped_check")


def main(argv: list[str] | None = None) -> int:
    """Train the reader of `--start` `--epochs` more on the SQuAD training examples (as
    train_reader.py builds them, `--squad-share` of them), `--forms` of these questions and,
    with `--kinds`, kinds_reads' examples; write it to `--out` with its validation figures."""
    import torch
    import train_reader as tr
    from reader_data import featurize
    from reader_model import load_shipped, stored_state
    from safetensors.torch import save_file
    from transformers import AutoTokenizer

    from app.models.cpu import this_cpu

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the trained reader")
    parser.add_argument(
        "--start",
        type=Path,
        required=True,
        help="the reader to train on: train_reader.py's output (MODEL_CARD.md's first command)",
    )
    parser.add_argument("--forms", type=int, default=2500, help="made-up questions added")
    parser.add_argument(
        "--version",
        type=int,
        choices=(2, 3),
        default=2,
        help="the questions' version (forms_data.form_examples): 2 made the shipped reader",
    )
    parser.add_argument(
        "--squad-share",
        type=float,
        default=1.0,
        help="share of the SQuAD training examples and their negatives kept, drawn at random",
    )
    parser.add_argument(
        "--kinds",
        type=Path,
        help="also train on what docqa reads, with the reader of --start, for the questions of "
        "kinds_reads.TRAINING_SETS; their indexes are built in this folder, or reused from it",
    )
    parser.add_argument(
        "--kinds-negatives",
        type=int,
        default=1,
        help="passages without the answer taught as 'no answer', at most, a kinds question",
    )
    parser.add_argument("--epochs", type=int, default=1, help="epochs of training (default 1)")
    parser.add_argument("--lr", type=float, default=1e-4, help="encoder learning rate")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--bf16",
        action=argparse.BooleanOptionalAction,
        default=this_cpu().has_native_bf16,
        help="bf16 autocast (default: where the CPU has it natively; emulated, it is far slower)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.squad_share <= 1 or args.epochs < 1:
        parser.error("--squad-share must be in (0, 1] and --epochs at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    tr.log_to(args.out / "train.log")
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    rng = random.Random(args.seed)
    train_pos, val_pos, train_neg, val_neg = squad_sets(rng)
    paragraphs = sorted({e.context for e in train_pos})
    forms = form_examples(args.forms, random.Random(args.seed + 2), paragraphs, args.version)
    if args.squad_share < 1:
        drawn = random.Random(args.seed + 3)
        train_pos = drawn.sample(train_pos, round(len(train_pos) * args.squad_share))
        train_neg = drawn.sample(train_neg, round(len(train_neg) * args.squad_share))
    kinds = []
    if args.kinds:
        drawn = random.Random(args.seed + 4)
        kinds = kinds_examples(
            reads_of(args.kinds, reader_dir=args.start), drawn, args.kinds_negatives
        )
    base = tr.base_model_dir()
    tok = AutoTokenizer.from_pretrained(str(base))
    feats = featurize(tok, train_pos + train_neg + forms + kinds, 256, 64, True, rng, True)
    tr.log(
        f"{len(train_pos)} + {len(train_neg)} negatives + {len(forms)} forms + {len(kinds)} "
        f"kinds ({sum(not e.answers for e in kinds)} without an answer): {len(feats)}"
    )
    model = load_shipped(args.start, base, tr.WORD_EMBEDDINGS)
    for name, parameter in model.named_parameters():
        parameter.requires_grad = not name.startswith(tr.WORD_EMBEDDINGS)
    phase = argparse.Namespace(
        epochs=args.epochs, lr=args.lr, head_lr_mult=5.0, batch_size=32, max_steps=0, retarget_at=0,
        all_answers=True, bf16=args.bf16, log_every=20,
    )  # fmt: skip
    seconds = tr.train(model, feats, phase, rng)
    em, f1, bias, accuracy = validated(model, tok, val_pos, val_neg, args.bf16)
    tr.log(f"VALIDATION EM {em:.3f} F1 {f1:.3f}; no-answer bias {bias:.3f} acc {accuracy:.3f}")
    save_file(stored_state(model, tr.WORD_EMBEDDINGS), str(args.out / "reader.safetensors"))
    config = json.loads((args.start / "reader_config.json").read_text())
    continued = {
        "forms": args.forms, "version": args.version, "lr": args.lr, "bf16": args.bf16,
        "squad_share": args.squad_share, "kinds": len(kinds), "epochs": args.epochs,
        "kinds_negatives": args.kinds_negatives, "seed": args.seed,
        "minutes": round(seconds / 60, 1), "start_validation": config.get("validation"),
    }  # fmt: skip
    write_config(args.out, config, (em, f1, bias, accuracy), continued)
    return 0


def squad_sets(rng: random.Random) -> tuple[list, list, list, list]:
    """SQuAD's training and validation examples (articles 1-38 less the validation articles, and
    those) and their built negatives, as train_reader.py makes them; `rng` draws the negatives."""
    from reader_data import built_negatives, examples_of, normans_halves, split_articles

    train_arts, val_arts, _ = split_articles()
    train_pos, val_pos = examples_of(train_arts), examples_of(val_arts)
    train_neg, val_neg = built_negatives(
        (train_arts, val_arts), (len(train_pos), len(val_pos)), normans_halves(), 0.2, rng
    )
    return train_pos, val_pos, train_neg, val_neg


def write_config(out: Path, config: dict, figures: tuple[float, ...], continued: dict) -> None:
    """`config` (the reader_config.json a reader was made from) with the new reader's validation
    `figures` (`validated`'s), its no-answer bias and how it was made, written to `out`; the
    evaluation figures of the reader it came from are dropped."""
    em, f1, bias, accuracy = figures
    config = {key: value for key, value in config.items() if key not in STALE}
    config["no_answer_bias"] = bias
    config["validation"] = {"em": em, "f1": f1, "no_answer_acc": accuracy}
    config["continued"] = continued
    (out / "reader_config.json").write_text(json.dumps(config, indent=2) + "\n")


def validated(model, tok, val_pos: list, val_neg: list, bf16: bool) -> tuple[float, ...]:
    """The reader's validation EM and F1 (256-token windows, stride 128), and the no-answer bias
    that best separates `val_pos` from `val_neg` there, with its accuracy: the bias docqa uses."""
    from reader_data import em_f1
    from reader_model import no_answer_eval, predict

    window = (256, 128, 30, bf16)
    found, refused = predict(model, tok, val_pos, *window), predict(model, tok, val_neg, *window)
    em, f1 = em_f1({k: v[0] for k, v in found.items()}, val_pos)
    bias, accuracy = no_answer_eval(found, refused)
    return em, f1, bias, accuracy


if __name__ == "__main__":
    sys.exit(main())
