"""Text: distinctive terms of a million comments, against the least any implementation must do.

1,000,000 simulated QA comments (5 to 25 words each from a Zipf vocabulary of 20,000 words,
a few accented and non-Latin words among them, almost all distinct), half of them in the target
month. Timed, best of ``--repeat``:

- floor: split on white space and count the words of each side (Arrow, no normalisation,
  no test): the least any implementation must do;
- peer: scikit-learn's ``CountVectorizer`` (token pattern ``(?u)\\b\\w\\w+\\b``, lowercase)
  summed per side, when scikit-learn is installed (the ``text`` extra);
- qainsights ``distinctive_terms`` (NFKC, case folding, Unicode words, sparse counts, the
  log-odds test, q-values, counts of comments and a masked example comment per term).

Prints wall-clock and CPU seconds: on a shared machine the wall clock measures the other jobs
as much as the code, the CPU time (all threads of this process) does not.

Run: python benchmarks/bench_text.py [--comments 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from qainsights.text import distinctive_terms


def make_comments(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` comments with a ``month`` column; the target month says 'slur list' more often."""
    rng = np.random.default_rng(seed)
    vocab = np.array(
        [f"w{i}" for i in range(20_000 - 4)] + ["Straße", "contexto", "संदर्भ", "überprüft"],
        dtype=object,
    )
    lengths = rng.integers(5, 26, n)
    words = vocab[(rng.zipf(1.2, lengths.sum()) - 1) % len(vocab)]
    month = rng.random(n) < 0.5
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    planted = starts[month & (rng.random(n) < 0.02)]
    words[planted] = "slur list"
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]), type=pa.int64())
    lists = pa.LargeListArray.from_arrays(offsets, pa.array(words, type=pa.large_string()))
    text = pc.binary_join(lists, pa.scalar(" ", pa.large_string())).to_numpy(zero_copy_only=False)
    return pd.DataFrame({"qa_comment": text, "month": np.where(month, "2026-06", "2026-05")})


def best_of(func, repeats: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds (all threads) of ``repeats`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def floor(comments: pd.DataFrame):
    words = pc.utf8_split_whitespace(pa.array(comments["qa_comment"], type=pa.large_string()))
    side = np.repeat(comments["month"].to_numpy() == "2026-06", pc.list_value_length(words))
    flat = pc.list_flatten(words)
    return [pc.value_counts(flat.filter(pa.array(s == side))) for s in (True, False)]


def peer(comments: pd.DataFrame):
    from sklearn.feature_extraction.text import CountVectorizer

    counts = CountVectorizer().fit_transform(comments["qa_comment"])
    target = (comments["month"] == "2026-06").to_numpy()
    return counts[target].sum(axis=0), counts[~target].sum(axis=0)


def ours(comments: pd.DataFrame):
    return distinctive_terms(comments, text="qa_comment", by="month", target="2026-06")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    comments = make_comments(args.comments)
    words = int(comments["qa_comment"].str.count(" ").sum() + len(comments))
    print(f"{len(comments):,} comments, {words:,} words, best of {args.repeat}")
    cases = [("split on white space + value counts (floor)", floor)]
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("scikit-learn is not installed: the CountVectorizer peer is skipped")
    else:
        cases.append(("scikit-learn CountVectorizer, summed per side", peer))
    cases.append(("qainsights distinctive_terms", ours))
    rows = [(name, *best_of(lambda f=func: f(comments), args.repeat)) for name, func in cases]
    table = pd.DataFrame(rows, columns=["approach", "wall s", "cpu s"])
    table["cpu x floor"] = table["cpu s"] / table["cpu s"].iloc[0]
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(table.to_string(index=False, float_format="{:.2f}".format))
    top = ours(comments).top(3)
    print("top target terms:", ", ".join(top["term"]))


if __name__ == "__main__":
    main()
