"""Compare what the readers make of the corpus's original files with the corpus texts.

For every raw/*.docx|.doc|.pdf with a matching docs/*.txt, after normalise():
- similarity of the whole text to the .txt (difflib ratio on words and on lines);
- the header lines (first N non-empty lines) compared with the .txt's, and for a .docx
  with a PDF rendered from it, the .docx's header compared with the PDF's.

    PYTHONPATH=src python benchmarks/compare_readers.py [--header-lines 12] [--show]
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time

from vnplan_nlp import settings
from vnplan_nlp.normalise import normalise
from vnplan_nlp.read import read_path


def lines_of(text: str) -> list[str]:
    return [" ".join(ln.split()) for ln in text.split("\n") if ln.strip()]


# the header ends where the body starts: the preamble ("Căn cứ ...", "Thực hiện ..."),
# an address line, a first section, or any long paragraph
_BODY = re.compile(r"^(?:Căn cứ|Thực hiện|Kính gửi|Theo đề nghị|Chương\s+[IVX\d]|Điều\s+1\b|I\.\s|1\.\s)")


def header(lines: list[str], n: int) -> list[str]:
    out = []
    for ln in lines[:n]:
        if _BODY.match(ln) or len(ln) > 160:
            break
        out.append(ln)
    return out


def ratio(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--header-lines", type=int, default=12)
    ap.add_argument("--show", action="store_true", help="print the header differences")
    args = ap.parse_args(argv)
    corpus = settings.corpus_dir()
    raw = corpus / "raw"
    if not raw.is_dir():
        print(f"shared corpus not found at {corpus}; set VNPLAN_CORPUS", file=sys.stderr)
        return 2
    n = args.header_lines
    rows = []
    heads: dict[str, dict[str, list[str]]] = {}
    texts: dict[str, dict[str, list[str]]] = {}
    for f in sorted(raw.iterdir()):
        if f.suffix.lower() not in (".docx", ".doc", ".pdf"):
            continue
        txt = corpus / "docs" / (f.stem + ".txt")
        if not txt.exists():
            continue
        t0 = time.perf_counter()
        src = read_path(f)
        secs = time.perf_counter() - t0
        got = lines_of(normalise(src.text, src.markup).text)
        ref_src = read_path(txt)
        ref = lines_of(normalise(ref_src.text, ref_src.markup).text)
        words = ratio(" ".join(got).split(), " ".join(ref).split())
        line_r = ratio(got, ref)
        h_got, h_ref = header(got, n), header(ref, n)
        h_same = h_got == h_ref
        heads.setdefault(f.stem, {})[f.suffix.lower()] = h_got
        heads[f.stem]["txt"] = h_ref
        texts.setdefault(f.stem, {})[f.suffix.lower()] = got
        rows.append((f.name, src.pages or "", secs, words, line_r, ratio(h_got, h_ref), h_same))
    print(f"{'file':52} {'pages':>5} {'secs':>6} {'words':>6} {'lines':>6} {'header':>6}  header = .txt")
    for name, pages, secs, w, l, h, same in rows:
        print(f"{name:52} {pages!s:>5} {secs:6.2f} {w:6.3f} {l:6.3f} {h:6.3f}  {'yes' if same else 'NO'}")
    if rows:
        print(f"{'mean':52} {'':>5} {'':>6} {sum(r[3] for r in rows) / len(rows):6.3f} "
              f"{sum(r[4] for r in rows) / len(rows):6.3f} {sum(r[5] for r in rows) / len(rows):6.3f}")
    print()
    print("docx vs the PDF rendered from it: whole text (words, lines) and header lines")
    same_pairs = 0
    pairs = 0
    for stem, h in heads.items():
        if ".docx" in h and ".pdf" in h:
            pairs += 1
            same = h[".docx"] == h[".pdf"]
            same_pairs += same
            a, b = texts[stem][".docx"], texts[stem][".pdf"]
            w = ratio(" ".join(a).split(), " ".join(b).split())
            print(f"  {stem:52} {w:6.3f} {ratio(a, b):6.3f}  header {'same' if same else 'DIFFERENT'}")
            if not same and args.show:
                for d in difflib.unified_diff(h[".docx"], h[".pdf"], "docx", "pdf", lineterm="", n=0):
                    print("     ", d)
    print(f"  {same_pairs}/{pairs} pairs give the same header lines")
    if args.show:
        print()
        print("header differences with the .txt:")
        for stem, h in heads.items():
            for ext in (".docx", ".doc", ".pdf"):
                if ext in h and h[ext] != h["txt"]:
                    print(f"  {stem}{ext}")
                    for d in difflib.unified_diff(h["txt"], h[ext], "txt", ext, lineterm="", n=0):
                        print("     ", d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
