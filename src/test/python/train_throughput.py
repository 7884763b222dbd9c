#!/usr/bin/python3
"""Forward+backward throughput of the PyTorch reference model (dsv32_torch.py, eager, CPU, float32) on a
checkpoint directory, for `./thinkloop perf train`, which runs the Java trainer on the same checkpoint, the same
sequence length and the same thread count side by side.

Contract (one JSON line on stdout, the last line; diagnostics on stderr):
  /usr/bin/python3 src/test/python/train_throughput.py --checkpoint DIR --seq-len T --threads N \
      [--iters K] [--warmup W] [--seed S] [--stage sparse|dense_warmup]
  -> {"tokens_per_s": float, "seconds_per_iter": float, "iters": K, "seq_len": T, "threads": N,
      "torch": "1.13.x", "stage": "sparse"}
Exit status 0 on success; 2 when torch or dsv32_torch cannot be imported (the JSON line then has "error").
Tokens are uniform random ids of the checkpoint's vocabulary from --seed; every position has loss weight 1.
"""

import argparse
import json
import os
import random
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--seq-len", type=int, required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stage", default="sparse", choices=["sparse", "dense_warmup"])
    a = ap.parse_args()
    try:
        import torch

        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import dsv32_torch
    except ImportError as e:
        print(json.dumps({"error": "cannot import %s (%s)" % (getattr(e, "name", "?"), e)}))
        return 2
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cfg, weights = dsv32_torch.load_checkpoint(a.checkpoint)
    model = dsv32_torch.Model(cfg, weights)
    rnd = random.Random(a.seed)
    tokens = [rnd.randrange(cfg["vocab_size"]) for _ in range(a.seq_len)]
    weight = [1.0] * (a.seq_len - 1)
    for _ in range(a.warmup):
        model.forward_backward(tokens, weight, a.stage)
    t0 = time.perf_counter()
    for _ in range(a.iters):
        model.forward_backward(tokens, weight, a.stage)
    secs = (time.perf_counter() - t0) / a.iters
    print(json.dumps({
        "tokens_per_s": a.seq_len / secs,
        "seconds_per_iter": secs,
        "iters": a.iters,
        "seq_len": a.seq_len,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "stage": a.stage,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
