"""Dump the full parse of every corpus document and compare it with an earlier dump.

    PYTHONPATH=src python benchmarks/compare_outputs.py --dump DIR      # write DIR/<file>.json
    PYTHONPATH=src python benchmarks/compare_outputs.py --compare DIR   # parse again, diff against DIR
        [--corpus DIR] [--only txt,docx,...] [--no-extract]

Each JSON holds ``doc.to_dict(with_text=True)`` of ``parse_path(p)`` (extraction on) and the
offsets map (normalised index -> source index), which ``to_dict`` leaves out; an input that
cannot be read is stored as its error code and message. ``--compare`` prints each document
whose output changed and the first differing paths in it, and exits 1 when any did: a
change in speed work must leave every document's output as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vnplan_nlp import settings  # noqa: E402
from vnplan_nlp.errors import VnplanError  # noqa: E402
from vnplan_nlp.parse import parse_path  # noqa: E402


def corpus_files(root: Path, only: set[str] | None) -> list[Path]:
    files = sorted((root / "docs").glob("*.txt")) + sorted((root / "raw").glob("*"))
    return [f for f in files if not only or f.suffix.lower().lstrip(".") in only]


def dump_name(root: Path, f: Path) -> str:
    """docs/x.txt -> docs__x.txt.json (docs/ and raw/ hold files of the same stem)."""
    return "__".join(f.relative_to(root).parts) + ".json"


def parse_one(f: Path, extract: bool) -> dict:
    try:
        doc = parse_path(f, extract=extract)
    except VnplanError as e:
        return {"error": e.to_dict()}
    d = doc.to_dict(with_text=True)
    d["offsets"] = list(doc.offsets) if doc.offsets is not None else None
    return d


def diffs(a, b, path: str = "", limit: int = 8) -> list[str]:
    """The first ``limit`` paths where two JSON values differ, with both values (shortened)."""
    out: list[str] = []

    def short(v) -> str:
        s = json.dumps(v, ensure_ascii=False)
        return s if len(s) <= 160 else s[:157] + "..."

    def walk(x, y, p):
        if len(out) >= limit:
            return
        if type(x) is not type(y):
            out.append(f"{p}: {short(x)} -> {short(y)}")
        elif isinstance(x, dict):
            for k in sorted(set(x) | set(y)):
                if k not in x:
                    out.append(f"{p}.{k}: added {short(y[k])}")
                elif k not in y:
                    out.append(f"{p}.{k}: removed {short(x[k])}")
                else:
                    walk(x[k], y[k], f"{p}.{k}")
                if len(out) >= limit:
                    return
        elif isinstance(x, list):
            if p.endswith(".offsets") or p == "offsets":
                if x != y:
                    i = next((i for i, (u, v) in enumerate(zip(x, y)) if u != v), min(len(x), len(y)))
                    out.append(f"{p}: first difference at {i} (lengths {len(x)} -> {len(y)})")
                return
            for i, (u, v) in enumerate(zip(x, y)):
                walk(u, v, f"{p}[{i}]")
                if len(out) >= limit:
                    return
            if len(x) != len(y):
                out.append(f"{p}: length {len(x)} -> {len(y)}")
        elif x != y:
            if isinstance(x, str) and isinstance(y, str) and len(x) > 160:
                i = next((i for i, (u, v) in enumerate(zip(x, y)) if u != v), min(len(x), len(y)))
                out.append(f"{p}: strings differ at {i}: {short(x[max(0, i - 40):i + 60])} -> "
                           f"{short(y[max(0, i - 40):i + 60])}")
            else:
                out.append(f"{p}: {short(x)} -> {short(y)}")

    walk(a, b, path)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--dump", metavar="DIR", help="write one JSON per document into DIR")
    g.add_argument("--compare", metavar="DIR", help="parse again and compare with the JSON files in DIR")
    ap.add_argument("--corpus", default=str(settings.corpus_dir()))
    ap.add_argument("--only", default="", help="comma-separated formats (txt,docx,doc,pdf); default all")
    ap.add_argument("--no-extract", action="store_true", help="parse without references, dates, bodies")
    a = ap.parse_args(argv)
    root = Path(a.corpus)
    only = {x.strip().lstrip(".") for x in a.only.split(",") if x.strip()} or None
    files = corpus_files(root, only)
    if not files:
        print(f"no corpus documents under {root}: set VNPLAN_CORPUS or pass --corpus", file=sys.stderr)
        return 2
    extract = not a.no_extract
    if a.dump:
        out = Path(a.dump)
        out.mkdir(parents=True, exist_ok=True)
        for f in files:
            d = parse_one(f, extract)
            (out / dump_name(root, f)).write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
        print(f"{len(files)} documents written to {out}")
        return 0

    base = Path(a.compare)
    changed = missing = 0
    for f in files:
        ref = base / dump_name(root, f)
        if not ref.is_file():
            print(f"{f.relative_to(root)}: no baseline in {base}")
            missing += 1
            continue
        old = json.loads(ref.read_text(encoding="utf-8"))
        new = json.loads(json.dumps(parse_one(f, extract), ensure_ascii=False))
        if old != new:
            changed += 1
            print(f"{f.relative_to(root)}: CHANGED")
            for line in diffs(old, new):
                print(f"    {line}")
    print(f"{len(files)} documents compared: {changed} changed, {missing} without baseline, "
          f"{len(files) - changed - missing} identical")
    return 1 if changed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
