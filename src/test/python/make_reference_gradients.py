#!/usr/bin/python3
"""Validates the PyTorch model (dsv32_torch.py), in float32 and in float64, against a tiny checkpoint's golden logits and
indexer selections, then writes the reference gradients of both DSA training stages for the Java
gradient check (`./thinkloop train gradcheck`).

Usage (from the repository root; Debian python3-torch):
  /usr/bin/python3 src/test/python/make_reference_gradients.py \
      src/test/resources/golden/dsv32-tiny/sparse src/test/resources/golden/dsv32-tiny-gradients/sparse

Output: OUT/reference.json ({"tokens", "loss_weight", "stages": {"sparse": {"lm_loss_sum", "aux_loss"},
"dense_warmup": {"aux_loss"}}}), OUT/sparse.safetensors (every parameter) and
OUT/dense_warmup.safetensors (the indexer parameters), F32, named as the checkpoint tensors.
Exits non-zero, writing nothing, if the golden check fails.
"""

import base64
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsv32_torch as m  # noqa: E402

MAX_LOGIT_DIFF = 1e-3
# The values entering the indexer's FP8 quantisation move by this much (relative to their block's
# absolute maximum) between two float32 implementations: torch float32 differs from float64 by
# 0.7-2.8e-7 rms there (growing with depth). Used to report how sensitive the reference is.
NOISE = 3e-7
TRIALS = 6


def golden_check(model, golden):
    """Full causal forward over prompt + argmaxes; compares each step's logits and selections."""
    worst = 0.0
    ok = True
    for ci, case in enumerate(golden["cases"]):
        steps = case["steps"]
        tokens = list(case["prompt"]) + [s["argmax"] for s in steps[:-1]]
        trace = {}
        with torch.no_grad():
            logits, _ = model.forward(tokens, m.SPARSE, trace)
        for si, step in enumerate(steps):
            pos = step["pos"]
            raw = base64.b64decode(step["logits_f32le_b64"])
            want = torch.tensor(struct.unpack(f"<{len(raw) // 4}f", raw))
            diff = (logits[pos] - want).abs().max().item()
            worst = max(worst, diff)
            sel = [trace["selected"][layer][pos] for layer in range(len(trace["selected"]))]
            if diff > MAX_LOGIT_DIFF or sel != step["indexer_selected_last"] or logits[pos].argmax() != step["argmax"]:
                ok = False
                print(f"  case {ci} step {si} pos {pos}: max|diff| {diff:.3g}, selected {sel} "
                      f"vs {step['indexer_selected_last']}")
    print(f"golden: {len(golden['cases'])} cases, max |logit diff| {worst:.3g}, {'OK' if ok else 'FAILED'}")
    return ok


def sensitivity(model, tokens, loss_weight, trials=TRIALS):
    """The largest relative change of any gradient (either stage) and of the losses when the values
    entering the indexer's FP8 quantisation move by float32-sized noise (NOISE x their block's
    absolute maximum): an independent float32 implementation rounds a few of them the other way, and
    this shows whether that could cost the 1e-4 tolerance. Also the discrete choices' margins."""
    model.margins = {k: float("inf") for k in model.margins}
    base = {st: model.forward_backward(tokens, loss_weight, st) for st in (m.SPARSE, m.DENSE_WARMUP)}
    margins = dict(model.margins)
    gen = torch.Generator().manual_seed(1234)

    def noisy(x, block=128):
        xb = x.reshape(*x.shape[:-1], x.shape[-1] // block, block)
        amax = xb.abs().amax(-1, keepdim=True)
        return (xb + torch.randn(xb.shape, generator=gen) * amax * NOISE).reshape(x.shape)

    worst = {"loss": 0.0, "main": 0.0, "indexer": 0.0}
    m.PRE_QUANT = noisy
    try:
        for _ in range(trials):
            for st, (lm, aux, grads) in base.items():
                lm2, aux2, grads2 = model.forward_backward(tokens, loss_weight, st)
                worst["loss"] = max(worst["loss"], abs(lm2 - lm) / abs(lm), abs(aux2 - aux) / abs(aux))
                for n, g in grads.items():
                    ref = g.norm().item()
                    if ref > 0:
                        kind = "indexer" if model.is_indexer(n) else "main"
                        worst[kind] = max(worst[kind], (grads2[n] - g).norm().item() / ref)
    finally:
        m.PRE_QUANT = None
    return worst, margins


def compare(a, b):
    """Largest relative L2 difference over the gradients of two forward_backward results, and of the losses."""
    worst = max(abs(a[0] - b[0]) / max(abs(b[0]), 1e-30), abs(a[1] - b[1]) / max(abs(b[1]), 1e-30))
    for n, g in b[2].items():
        ref = g.norm().item()
        if ref > 0:
            worst = max(worst, (a[2][n].double() - g.double()).norm().item() / ref)
    return worst


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    ckpt, out = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    cfg, weights = m.load_checkpoint(ckpt)
    with open(os.path.join(ckpt, "golden.json")) as f:
        golden = json.load(f)
    # The float32 model reproduces the golden (as the issue asks); the float64 one must too.
    model32 = m.Model(cfg, weights, torch.float32)
    model64 = m.Model(cfg, weights, torch.float64)
    if not golden_check(model32, golden) or not golden_check(model64, golden):
        sys.exit(1)

    # TRAIN_SPEC: the first case's prompt followed by the argmax ids of its steps (longer than index_topk=8).
    case = golden["cases"][0]
    tokens = list(case["prompt"]) + [s["argmax"] for s in case["steps"]]
    # Varied weights so that the check covers the weighting: 0 (not written), 0.5 and 1.
    loss_weight = [0.0 if t == 0 else (0.5 if t % 3 == 1 else 1.0) for t in range(len(tokens) - 1)]
    print(f"tokens {tokens} (T={len(tokens)}, index_topk={cfg['index_topk']}), loss_weight {loss_weight}")

    # The reference: autograd in float64 on the float32 weights, so that it carries none of float32's
    # own rounding; the FP8 roundings of the indexer are then the exact ones, which any float32
    # implementation reproduces except for values within a few ulps of a rounding midpoint.
    ref = {st: model64.forward_backward(tokens, loss_weight, st) for st in (m.SPARSE, m.DENSE_WARMUP)}
    f32 = {st: compare(model32.forward_backward(tokens, loss_weight, st), ref[st]) for st in ref}
    sens, margins = sensitivity(model64, tokens, loss_weight)
    lm, aux, g_sparse = ref[m.SPARSE]
    _, aux_dense, g_dense = ref[m.DENSE_WARMUP]
    print(f"sparse: lm_loss_sum {lm:.6f} aux_loss {aux:.6g}; dense_warmup: aux_loss {aux_dense:.6g}")
    print("torch float32 vs this reference (max relative error): "
          + ", ".join(f"{k} {v:.3g}" for k, v in f32.items()))
    print(f"sensitivity to float32-sized noise before the FP8 rounding ({TRIALS} trials, {NOISE:g} x block amax): "
          + ", ".join(f"{k} {v:.3g}" for k, v in sens.items()))
    print("margins of the discrete choices: " + ", ".join(f"{k} {v:.3g}" for k, v in margins.items()))

    os.makedirs(out, exist_ok=True)
    m.write_safetensors(os.path.join(out, "sparse.safetensors"), g_sparse)
    m.write_safetensors(os.path.join(out, "dense_warmup.safetensors"), g_dense)
    doc = {
        "checkpoint": os.path.basename(os.path.normpath(ckpt)),
        "torch": torch.__version__,
        "precision": "float64 autograd on the float32 checkpoint weights; gradients stored as F32",
        "tokens": tokens,
        "loss_weight": loss_weight,
        "stages": {"sparse": {"lm_loss_sum": lm, "aux_loss": aux}, "dense_warmup": {"aux_loss": aux_dense}},
        "torch_float32_max_rel_error": f32,
        "sensitivity": sens,
        "margins": {k: (v if v != float("inf") else None) for k, v in margins.items()},
    }
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(g_sparse)} sparse and {len(g_dense)} dense_warmup gradients")


if __name__ == "__main__":
    main()
