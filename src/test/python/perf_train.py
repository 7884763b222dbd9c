#!/usr/bin/python3
"""PyTorch eager CPU baseline for `./thinkloop perf train` (issue #14, item 6): forward + backward
tokens/s of the DeepSeek-V3.2 architecture (our model in dsv32_torch.py, float32) for a config, a
thread count, a sequence length and a number of steps. Prints ONE JSON line on stdout:

  {"impl": "pytorch", "torch": "1.13.0a0", "threads": 2, "seq_len": 256, "steps": 5, "stage": "sparse",
   "params": 1234567, "seconds": 3.21, "tokens_per_s": 398.7, "step_ms": [...], "loss_first": ..., ...}

Run it with Debian's python3-torch and a passive OpenMP wait policy, so that idle OpenMP threads sleep
instead of spinning (spinning threads steal the cores a side-by-side Java run needs):

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 src/test/python/perf_train.py \
      --config path/to/config.json --threads 2 --seq-len 256 --steps 5

`--config` takes a config.json (fresh random weights, seeded) or a checkpoint directory (its weights,
FP8 dequantised). The script sets OMP_WAIT_POLICY=PASSIVE itself when the variable is absent (before
torch loads OpenMP). Each step is one sequence: forward, loss (summed cross-entropy + the indexer's KL,
as the trainer's forwardBackward), backward; no optimizer step, like the Java side it is compared with.
`--warmup` steps run first and are not timed.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsv32_torch as m  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True, help="config.json, or a checkpoint directory")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--stage", choices=[m.SPARSE, m.DENSE_WARMUP], default=m.SPARSE)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    if os.path.isdir(a.config):
        cfg, weights = m.load_checkpoint(a.config)
    else:
        with open(a.config) as f:
            cfg = json.load(f)
        weights = m.random_weights(cfg, a.seed)
    model = m.Model(cfg, weights)
    g = torch.Generator().manual_seed(a.seed)
    tokens = torch.randint(0, cfg["vocab_size"], (a.seq_len,), generator=g).tolist()
    weights_ = [1.0] * (a.seq_len - 1)

    losses = []
    for _ in range(a.warmup):
        model.forward_backward(tokens, weights_, a.stage)
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        lm, aux, _ = model.forward_backward(tokens, weights_, a.stage)
        times.append(time.perf_counter() - t0)
        losses.append(lm)
    total = sum(times)
    print(json.dumps({
        "impl": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "seq_len": a.seq_len,
        "steps": a.steps,
        "warmup": a.warmup,
        "stage": a.stage,
        "params": sum(t.numel() for t in model.params.values()),
        "seconds": round(total, 4),
        "tokens_per_s": round(a.steps * a.seq_len / total, 2) if total > 0 else None,
        "step_ms": [round(t * 1000, 2) for t in times],
        "lm_loss_sum_first": losses[0] if losses else None,
    }))


if __name__ == "__main__":
    main()
