#!/usr/bin/python3
"""A trainable PyTorch (CPU, float32) model of the DeepSeek-V3.2 architecture, written for Thinkloop
from the semantics in the golden README and TRAIN_SPEC.md (issue #14): MLA with q/kv LoRA and
interleaved YaRN RoPE, the DSA lightning indexer (non-interleaved RoPE, Walsh-Hadamard, FP8 e4m3
block quantisation with a straight-through estimator), sigmoid-routed group-limited MoE with shared
experts, a dense first layer, final RMSNorm, LM head and the training losses of both DSA stages.

It is the reference the Java trainer's gradients are checked against, so it favours plain,
obviously-correct tensor code over speed. It also carries a minimal safetensors reader/writer
(the Debian python3-torch has no `safetensors` module) and the e4m3 decode table for FP8
checkpoints. Run with /usr/bin/python3 (Debian's python3-torch 1.13).
"""

import json
import math
import os
import struct

import torch

SPARSE = "sparse"
DENSE_WARMUP = "dense_warmup"

# ---------------------------------------------------------------- safetensors


def _e4m3_table():
    """All 256 e4m3fn codes decoded (bias 7, no infinities, 0x7F/0xFF are NaN)."""
    vals = []
    for b in range(256):
        e = (b >> 3) & 0xF
        m = b & 7
        v = m * 2.0**-9 if e == 0 else (1 + m / 8.0) * 2.0 ** (e - 7)
        if (b & 0x7F) == 0x7F:
            v = float("nan")
        vals.append(-v if b & 0x80 else v)
    return torch.tensor(vals, dtype=torch.float32)


E4M3 = _e4m3_table()


def read_safetensors(path):
    """Returns {name: tensor}; F32 tensors as float32, F8_E4M3 as uint8 codes."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        raw = bytearray(data[base + a : base + b])
        shape = meta["shape"]
        if meta["dtype"] == "F32":
            t = torch.frombuffer(raw, dtype=torch.float32).clone() if raw else torch.zeros(0)
        elif meta["dtype"] == "F8_E4M3":
            t = torch.frombuffer(raw, dtype=torch.uint8).clone()
        else:
            raise ValueError(f"{name}: unsupported dtype {meta['dtype']}")
        out[name] = t.reshape(shape)
    return out


def write_safetensors(path, tensors):
    """Writes {name: float32 tensor} as F32 safetensors (names sorted, header padded to 8 bytes)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        raw = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)


def dequantize_fp8(codes, scale_inv, block=128):
    """value = e4m3(code) x scale of its block (one scale per block x block tile)."""
    w = E4M3[codes.long()]
    rows, cols = w.shape
    s = scale_inv.repeat_interleave(block, 0)[:rows].repeat_interleave(block, 1)[:, :cols]
    return w * s


def load_checkpoint(directory):
    """Returns (config dict, {name: float32 tensor}) with FP8 weights dequantised."""
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    raw = read_safetensors(os.path.join(directory, "model.safetensors"))
    block = 128
    q = cfg.get("quantization_config")
    if q and "weight_block_size" in q:
        block = q["weight_block_size"][0]
    weights = {}
    for name, t in raw.items():
        if name.endswith(".weight_scale_inv"):
            continue
        if t.dtype == torch.uint8:
            t = dequantize_fp8(t, raw[name + "_scale_inv"], block)
        weights[name] = t.to(torch.float32)
    return cfg, weights


# ---------------------------------------------------------------- building blocks


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def layer_norm(x, w, b, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def linear(x, w):
    return x @ w.t()


def rope_frequencies(cfg):
    """Per-pair inverse frequencies with YaRN correction (active when max positions exceed the original)."""
    dim = cfg["qk_rope_head_dim"]
    base = cfg["rope_theta"]
    freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    rs = cfg.get("rope_scaling")
    if rs and cfg["max_position_embeddings"] > rs["original_max_position_embeddings"]:
        orig = rs["original_max_position_embeddings"]

        def corr(rot):
            return dim * math.log(orig / (rot * 2 * math.pi)) / (2 * math.log(base))

        low = max(math.floor(corr(rs.get("beta_fast", 32))), 0)
        high = min(math.ceil(corr(rs.get("beta_slow", 1))), dim - 1)
        if low == high:
            high += 0.001
        ramp = ((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low)).clamp(0, 1)
        smooth = 1 - ramp
        freqs = freqs / rs["factor"] * (1 - smooth) + freqs * smooth
    return freqs


def softmax_scale(cfg):
    s = (cfg["qk_nope_head_dim"] + cfg["qk_rope_head_dim"]) ** -0.5
    rs = cfg.get("rope_scaling")
    if rs and cfg["max_position_embeddings"] > rs["original_max_position_embeddings"] and rs["factor"] > 1:
        m = 0.1 * rs.get("mscale_all_dim", rs.get("mscale", 1.0)) * math.log(rs["factor"]) + 1.0
        s = s * m * m
    return s


def rope_interleaved(x, cos, sin):
    """Rotates adjacent pairs (x[2i], x[2i+1]); x [..., T, (heads,) dim], cos/sin [T, dim/2]."""
    a = x[..., 0::2]
    b = x[..., 1::2]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), -1).flatten(-2)


def rope_halves(x, cos, sin):
    """Rotates (x[i], x[i + d/2]) pairs (non-interleaved)."""
    h = x.shape[-1] // 2
    a = x[..., :h]
    b = x[..., h:]
    return torch.cat((a * cos - b * sin, a * sin + b * cos), -1)


def hadamard(x, scale):
    """Walsh-Hadamard (Sylvester order) over the last dim by butterflies, then x scale."""
    n = x.shape[-1]
    lead = x.shape[:-1]
    length = 1
    while length < n:
        y = x.reshape(*lead, n // (2 * length), 2, length)
        a = y[..., 0, :]
        b = y[..., 1, :]
        x = torch.stack((a + b, a - b), -2).reshape(*lead, n)
        length <<= 1
    return x * scale


def fp8_round(v):
    """Rounds to the nearest e4m3 value (ties to even) after clamping to +-448."""
    a = v.abs().clamp(max=448.0)
    _, e = torch.frexp(a)  # a = m * 2^e, m in [0.5, 1)
    quantum = torch.where(a < 2.0**-6, torch.full_like(a, 2.0**-9), torch.ldexp(torch.ones_like(a), e - 4))
    return torch.copysign(torch.round(a / quantum) * quantum, v)


def fp8_block_quant(x, block=128):
    """dequant(quant(x)) per block of the last dim with ue8m0 scales: s = 2^ceil(log2(max(amax,1e-4)/448))."""
    shape = x.shape
    xb = x.reshape(*shape[:-1], shape[-1] // block, block)
    amax = xb.abs().amax(-1, keepdim=True).clamp(min=1e-4)
    scale = torch.exp2(torch.ceil(torch.log2(amax / 448.0)))
    return (fp8_round(xb / scale) * scale).reshape(shape)


# Test hook: a function applied to the values about to be quantised (the reference generator uses it to
# perturb them by float32-sized noise and so measure how sensitive the gradients are to rounding flips).
PRE_QUANT = None


def ste_quant(x):
    """Forward = FP8 block quantisation; backward = identity (straight-through)."""
    xq = x.detach() if PRE_QUANT is None else PRE_QUANT(x.detach())
    return x + (fp8_block_quant(xq) - x).detach()


# ---------------------------------------------------------------- the model


class Model:
    """Functional model over a {name: tensor} dict of parameters (HF names)."""

    def __init__(self, cfg, weights, dtype=torch.float32):
        """dtype float64 computes the same maths on the same (float32) weights in double precision."""
        self.cfg = cfg
        self.dtype = dtype
        self.params = {}
        self.buffers = {}
        for name, t in weights.items():
            if name.endswith("e_score_correction_bias"):
                self.buffers[name] = t.to(dtype)
            else:
                self.params[name] = t.to(dtype).clone().requires_grad_(True)
        # Smallest gaps seen by the discrete choices (expert, group, indexer top-k), for robustness checks.
        self.margins = {"route": math.inf, "group": math.inf, "index": math.inf}
        self.freqs = rope_frequencies(cfg).to(dtype)
        self.scale = softmax_scale(cfg)

    def p(self, name):
        return self.params[name]

    def is_indexer(self, name):
        return ".self_attn.indexer." in name

    def rope_tables(self, T):
        ang = torch.arange(T, dtype=self.dtype)[:, None] * self.freqs[None, :]
        return torch.cos(ang), torch.sin(ang)

    def indexer_scores(self, pre, x, qr, cos, sin):
        """Score[t, s] (float32, unmasked) from detached inputs, with STE quantisation."""
        c = self.cfg
        ih, idim, rope = c["index_n_heads"], c["index_head_dim"], c["qk_rope_head_dim"]
        T = x.shape[0]
        q = linear(qr, self.p(pre + "indexer.wq_b.weight")).view(T, ih, idim)
        q = torch.cat((rope_halves(q[..., :rope], cos[:, None, :], sin[:, None, :]), q[..., rope:]), -1)
        k = linear(x, self.p(pre + "indexer.wk.weight"))
        k = layer_norm(k, self.p(pre + "indexer.k_norm.weight"), self.p(pre + "indexer.k_norm.bias"), 1e-6)
        k = torch.cat((rope_halves(k[..., :rope], cos, sin), k[..., rope:]), -1)
        q = ste_quant(hadamard(q, idim**-0.5))
        k = ste_quant(hadamard(k, idim**-0.5))
        w = linear(x, self.p(pre + "indexer.weights_proj.weight")) * (ih**-0.5 * idim**-0.5)
        dots = torch.einsum("thd,sd->ths", q, k)
        return (torch.relu(dots) * w[:, :, None]).sum(1)

    def attention(self, l, h, cos, sin, stage, trace):
        c = self.cfg
        pre = f"model.layers.{l}.self_attn."
        T = h.shape[0]
        H = c["num_attention_heads"]
        nope, rope, vd = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]
        kvr = c["kv_lora_rank"]
        eps = c["rms_norm_eps"]
        x = rms_norm(h, self.p(f"model.layers.{l}.input_layernorm.weight"), eps)
        qr = rms_norm(linear(x, self.p(pre + "q_a_proj.weight")), self.p(pre + "q_a_layernorm.weight"), eps)
        q = linear(qr, self.p(pre + "q_b_proj.weight")).view(T, H, nope + rope)
        q = torch.cat((q[..., :nope], rope_interleaved(q[..., nope:], cos[:, None, :], sin[:, None, :])), -1)
        kva = linear(x, self.p(pre + "kv_a_proj_with_mqa.weight"))
        kv = rms_norm(kva[:, :kvr], self.p(pre + "kv_a_layernorm.weight"), eps)
        kpe = rope_interleaved(kva[:, kvr:], cos, sin)
        kvb = linear(kv, self.p(pre + "kv_b_proj.weight")).view(T, H, nope + vd)
        k = torch.cat((kvb[..., :nope], kpe[:, None, :].expand(T, H, rope)), -1)
        v = kvb[..., nope:]

        causal = torch.ones(T, T, dtype=torch.bool).tril()
        score = self.indexer_scores(pre, x.detach(), qr.detach(), cos, sin)
        score = score.masked_fill(~causal, float("-inf"))
        topk = c["index_topk"]
        if stage == DENSE_WARMUP or T <= topk:
            attended = causal
        else:
            # Rows with at most top-k causal positions keep them all (their -inf picks fall to the mask).
            ranked = score.detach().topk(topk + 1, -1)
            attended = torch.zeros(T, T, dtype=torch.bool).scatter(1, ranked.indices[:, :topk], True) & causal
            kth, next_ = ranked.values[topk:, topk - 1], ranked.values[topk:, topk]
            gap = ((kth - next_) / kth.abs()).min().item()
            self.margins["index"] = min(self.margins["index"], gap)
        if trace is not None:
            trace.setdefault("selected", []).append([torch.nonzero(attended[t]).flatten().tolist() for t in range(T)])

        logits = torch.einsum("thd,shd->hts", q, k) * self.scale
        logits = logits.masked_fill(~attended[None], float("-inf"))
        prob = torch.softmax(logits, -1)
        out = torch.einsum("hts,shd->thd", prob, v).reshape(T, H * vd)
        h = h + linear(out, self.p(pre + "o_proj.weight"))

        # Indexer KL over the attended set: target = head-summed main probabilities, L1-normalised.
        target = prob.detach().sum(0).masked_fill(~attended, 0.0)
        target = target / target.sum(-1, keepdim=True)
        logq = torch.log_softmax(score.masked_fill(~attended, float("-inf")), -1)
        plogp = torch.where(target > 0, target * torch.log(target.clamp(min=1e-38)), torch.zeros_like(target))
        kl = (plogp - torch.where(attended, target * logq, torch.zeros_like(target))).sum()
        return h, kl

    def mlp(self, pre, x):
        g = linear(x, self.p(pre + "gate_proj.weight"))
        u = linear(x, self.p(pre + "up_proj.weight"))
        return linear(torch.nn.functional.silu(g) * u, self.p(pre + "down_proj.weight"))

    def route(self, l, x):
        """(experts [T,k], weights [T,k]) with the bias steering selection only."""
        c = self.cfg
        pre = f"model.layers.{l}.mlp.gate."
        ne, k = c["n_routed_experts"], c["num_experts_per_tok"]
        logits = linear(x, self.p(pre + "weight"))
        scores = torch.sigmoid(logits) if c["scoring_func"] == "sigmoid" else torch.softmax(logits, -1)
        bias = self.buffers.get(pre + "e_score_correction_bias")
        biased = scores.detach() + (bias if bias is not None else 0)
        groups = c.get("n_group", 1)
        if groups > 1:
            per = ne // groups
            g = biased.view(-1, groups, per)
            gscore = g.topk(min(2, per), -1).values.sum(-1) if bias is not None else g.amax(-1)
            if c["topk_group"] < groups:
                ranked = gscore.topk(c["topk_group"] + 1, -1).values
                gap = (ranked[:, -2] - ranked[:, -1]).min().item()
                self.margins["group"] = min(self.margins["group"], gap)
            keep = gscore.topk(c["topk_group"], -1).indices
            mask = torch.ones_like(gscore, dtype=torch.bool)
            mask.scatter_(1, keep, False)
            biased = g.masked_fill(mask[..., None], float("-inf")).view(-1, ne)
        ranked = biased.topk(min(k + 1, ne), -1).values
        if ranked.shape[-1] > k:
            gap = (ranked[:, k - 1] - ranked[:, k]).min().item()
            self.margins["route"] = min(self.margins["route"], gap)
        experts = biased.topk(k, -1).indices
        w = scores.gather(1, experts)
        if c["scoring_func"] == "sigmoid" and c.get("norm_topk_prob", False):
            w = w / w.sum(-1, keepdim=True)
        return experts, w * c["routed_scaling_factor"]

    def feed_forward(self, l, h):
        c = self.cfg
        x = rms_norm(h, self.p(f"model.layers.{l}.post_attention_layernorm.weight"), c["rms_norm_eps"])
        pre = f"model.layers.{l}.mlp."
        if l < c["first_k_dense_replace"]:
            return h + self.mlp(pre, x)
        experts, w = self.route(l, x)
        y = torch.zeros_like(x)
        if c.get("n_shared_experts", 0):
            y = y + self.mlp(pre + "shared_experts.", x)
        for e in range(c["n_routed_experts"]):
            rows, slot = torch.nonzero(experts == e, as_tuple=True)
            if rows.numel() == 0:
                continue
            out = self.mlp(pre + f"experts.{e}.", x[rows])
            y = y.index_add(0, rows, out * w[rows, slot][:, None])
        return h + y

    def forward(self, tokens, stage=SPARSE, trace=None):
        """Returns (logits [T, V], aux KL loss summed over layers and positions)."""
        c = self.cfg
        T = len(tokens)
        cos, sin = self.rope_tables(T)
        h = self.p("model.embed_tokens.weight")[torch.tensor(tokens)]
        aux = torch.zeros((), dtype=self.dtype)
        for l in range(c["num_hidden_layers"]):
            h, kl = self.attention(l, h, cos, sin, stage, trace)
            aux = aux + kl
            h = self.feed_forward(l, h)
        h = rms_norm(h, self.p("model.norm.weight"), c["rms_norm_eps"])
        return linear(h, self.p("lm_head.weight")), aux

    def zero_grad(self):
        for t in self.params.values():
            t.grad = None

    def forward_backward(self, tokens, loss_weight, stage):
        """The training step of TRAIN_SPEC: returns (lm_loss_sum, aux_loss, {name: grad})."""
        self.zero_grad()
        logits, aux = self.forward(tokens, stage)
        ce = torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(tokens[1:]), reduction="none")
        lm = (ce * torch.tensor(loss_weight, dtype=self.dtype)).sum()
        if stage == SPARSE:
            (lm + aux).backward()
            names = list(self.params)
        else:
            aux.backward()
            names = [n for n in self.params if self.is_indexer(n)]
        grads = {}
        for n in names:
            g = self.params[n].grad
            grads[n] = torch.zeros_like(self.params[n]) if g is None else g.clone()
        return lm.item(), aux.item(), grads


# ---------------------------------------------------------------- fresh parameters (for timing)


def parameter_shapes(cfg):
    """{name: shape} of every tensor of a checkpoint with this config (HF layout, no FP8 scales)."""
    D, V = cfg["hidden_size"], cfg["vocab_size"]
    H = cfg["num_attention_heads"]
    nope, rope, vd = cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"]
    ql, kvl = cfg["q_lora_rank"], cfg["kv_lora_rank"]
    ih, idim = cfg["index_n_heads"], cfg["index_head_dim"]
    shapes = {"model.embed_tokens.weight": [V, D], "model.norm.weight": [D], "lm_head.weight": [V, D]}
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        a = p + "self_attn."
        shapes.update({
            p + "input_layernorm.weight": [D],
            p + "post_attention_layernorm.weight": [D],
            a + "q_a_proj.weight": [ql, D],
            a + "q_a_layernorm.weight": [ql],
            a + "q_b_proj.weight": [H * (nope + rope), ql],
            a + "kv_a_proj_with_mqa.weight": [kvl + rope, D],
            a + "kv_a_layernorm.weight": [kvl],
            a + "kv_b_proj.weight": [H * (nope + vd), kvl],
            a + "o_proj.weight": [D, H * vd],
            a + "indexer.wq_b.weight": [ih * idim, ql],
            a + "indexer.wk.weight": [idim, D],
            a + "indexer.k_norm.weight": [idim],
            a + "indexer.k_norm.bias": [idim],
            a + "indexer.weights_proj.weight": [ih, D],
        })

        def mlp(prefix, inter):
            shapes.update({prefix + "gate_proj.weight": [inter, D], prefix + "up_proj.weight": [inter, D],
                           prefix + "down_proj.weight": [D, inter]})

        if l < cfg["first_k_dense_replace"]:
            mlp(p + "mlp.", cfg["intermediate_size"])
        else:
            ne = cfg["n_routed_experts"]
            shapes[p + "mlp.gate.weight"] = [ne, D]
            shapes[p + "mlp.gate.e_score_correction_bias"] = [ne]
            for e in range(ne):
                mlp(p + f"mlp.experts.{e}.", cfg["moe_intermediate_size"])
            if cfg.get("n_shared_experts", 0):
                mlp(p + "mlp.shared_experts.", cfg["moe_intermediate_size"] * cfg["n_shared_experts"])
    return shapes


def random_weights(cfg, seed=0):
    """Norm weights 1, biases 0, matrices uniform with fan-in scaling, embeddings uniform +-sqrt(3)."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for name, shape in parameter_shapes(cfg).items():
        if len(shape) == 1:
            fill = 1.0 if name.endswith("norm.weight") else 0.0
            out[name] = torch.full(shape, fill)
        else:
            amp = math.sqrt(3.0) if name == "model.embed_tokens.weight" else math.sqrt(3.0 / shape[1])
            out[name] = (torch.rand(shape, generator=g) * 2 - 1) * amp
    return out
