"""The line model: which clauses assign a task, and with what role.

The responsibilities stage finds *candidates* -- every place an actor phrase opens a line,
a sentence or a clause (``_Extractor.candidates``) -- and decides which of them assign a
task and with what role. The rules decide by cue words and section titles; this module
trains a classifier (scikit-learn logistic regression) to make the same decision from
features of the candidate (zone and section title words, cue words before and after the
actor, the first words of the predicate, character n-grams), on line labels kept in
``corpus/annotations/lines/``.

The trained model is a data file, ``models/responsibility-lines.json`` (feature names,
weights, classes, the documents it was trained and tested on, its figures): nothing is
unpickled, and it is read only when first used. scikit-learn is needed to train, not to
predict. ``vnplan train`` rebuilds it and its card, ``models/responsibility-lines.md``.
"""

from __future__ import annotations

import json
import math
import os
import re
from functools import lru_cache
from pathlib import Path

from . import settings
from .normalise import fold_tones, strip_diacritics

MODEL_NAME = "responsibility-lines"
MODEL_VERSION = 1
CLASSES = ("none", "lead", "coordinate", "execute")


def models_dir() -> Path:
    """Where models live: ``VNPLAN_MODELS``, else ``models/`` in the project."""
    env = os.environ.get("VNPLAN_MODELS")
    return Path(env) if env else settings.PROJECT_ROOT / "models"


def lines_dir() -> Path:
    return settings.project_corpus_dir() / "annotations" / "lines"


def _bare(s: str) -> str:
    return " ".join(strip_diacritics(fold_tones(s)).lower().split())


# -- features ---------------------------------------------------------------------------------

_CUE_WORDS = ("chu tri", "phoi hop", "tham muu", "co trach nhiem", "chiu trach nhiem", "bao cao", "theo doi",
              "don doc", "to chuc thuc hien", "trien khai", "de nghi", "giao", "yeu cau", "chi dao", "huong dan",
              "phai", "da ", "duoc giao", "ke hoach nay", "thoi gian", "truoc ngay")


def features(ex, c) -> dict[str, float]:
    """Features of a candidate (``responsibilities.Candidate``) in its extractor's document."""
    t = ex.text
    ln = c.line
    f: dict[str, float] = {}

    def on(name: str, v: float = 1.0) -> None:
        f[name] = f.get(name, 0.0) + v

    on(f"zone={ln.zone}")
    on(f"kind={ln.kind}")
    on(f"how={c.how}")
    on(f"cue={c.cue or 'none'}")
    on(f"kind_how={ln.kind}_{c.how}")
    on(f"zone_kind={ln.zone}_{ln.kind}_{c.how}")
    node = ln.node
    if node is not None:
        on(f"label={node.kind}")
        on(f"depth={min(node.level, 4)}")
    if not ln.path:
        on("no_section")
    # words of the titles of the sections holding the line
    for title in _titles(ex, ln):
        for w in set(_bare(title).split()[:8]):
            on(f"title:{w}", 0.5)
    actor = t[c.actor[0]:c.actor[1]]
    ba = _bare(actor)
    words = ba.split()
    on(f"actor_first={' '.join(words[:1])}")
    on(f"actor_first2={' '.join(words[:2])}")
    on(f"actor_len={min(len(words) // 3, 5)}")
    if actor[:1].isupper():
        on("actor_cap")
    # right after the actor
    rest = t[c.actor[1]:ln.end]
    r0 = rest.lstrip(" \t")
    if not r0:
        on("after=eol")
    elif r0[0] == ":":
        on("after=colon")
    elif r0[0] == "(":
        on("after=paren")
    elif r0[0] in ",;.":
        on("after=punct")
    else:
        on("after=word")
    rb = _bare(r0.lstrip(" :,"))
    rw = rb.split()
    on(f"next={' '.join(rw[:1])}")
    on(f"next2={' '.join(rw[:2])}")
    clause = re.split(r"[.;]\s", rb, maxsplit=1)[0][:300]
    for w in _CUE_WORDS:
        if w in clause:
            on(f"has:{w}")
        if clause.startswith(w):
            on(f"starts:{w}")
    for n in (3, 4):
        s = "^" + rb[:24]
        for i in range(len(s) - n + 1):
            on(f"ng:{s[i:i + n]}", 0.2)
    # what came before the actor in its clause
    before = _bare(t[max(ln.body, c.start - 40):c.actor[0]])
    if before:
        on(f"before_last={before.split()[-1] if before.split() else ''}")
    # an item whose actor was already given
    owner = ex._owner(ln) if hasattr(ex, "_owner") else None
    if owner is not None:
        from .responsibilities import _same_actor
        on("owner=same" if _same_actor(actor, t[owner.actor[0]:owner.actor[1]]) else "owner=other")
    else:
        on("owner=none")
    if c.line.index in getattr(ex, "task_text_lines", {}):
        on("in_task_text")
    on("bias")
    return f


def _titles(ex, ln) -> list[str]:
    out = []
    path = ln.path
    for s, e, p, n, z in ex.paths:
        if n.title and path and (path == p or path.startswith(p + ".")) and s <= ln.start:
            out.append(n.title)
    return out[-3:]


# -- the model as data ------------------------------------------------------------------------

class LineModel:
    """A linear classifier read from JSON: ``weights[class][feature]`` and ``bias[class]``."""

    def __init__(self, data: dict):
        self.data = data
        self.classes: list[str] = data["classes"]
        self.weights: dict[str, dict[str, float]] = data["weights"]
        self.bias: dict[str, float] = data["bias"]

    def scores(self, feats: dict[str, float]) -> dict[str, float]:
        out = {}
        for k in self.classes:
            w = self.weights.get(k, {})
            out[k] = self.bias.get(k, 0.0) + sum(v * w.get(name, 0.0) for name, v in feats.items())
        return out

    def predict(self, feats: dict[str, float]) -> str:
        s = self.scores(feats)
        return max(self.classes, key=lambda k: s[k])

    def proba(self, feats: dict[str, float]) -> dict[str, float]:
        s = self.scores(feats)
        m = max(s.values())
        ex = {k: math.exp(v - m) for k, v in s.items()}
        z = sum(ex.values())
        return {k: v / z for k, v in ex.items()}

    @property
    def shipped(self) -> bool:
        return bool(self.data.get("shipped"))

    def decide(self, ex, c) -> str | None:
        k = self.predict(features(ex, c))
        return None if k == "none" else k


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> LineModel | None:
    """The line model, read on first use; None where there is none (a fresh clone)."""
    p = Path(path) if path else models_dir() / f"{MODEL_NAME}.json"
    if not p.is_file():
        return None
    data = json.loads(p.read_text("utf-8"))
    if data.get("name") != MODEL_NAME or data.get("format") != "linear-json/1":
        raise ValueError(f"{p}: not a {MODEL_NAME} model (format linear-json/1); rebuild it with 'vnplan train'")
    return LineModel(data)


def active_decider():
    """The line decision find_responsibilities uses: the model where its card says it is
    shipped (it beat the rules on held-out documents) or ``VNPLAN_RESPONSIBILITY_LINES=model``
    asks for it; the rules otherwise (``=rules`` forces them)."""
    choice = os.environ.get("VNPLAN_RESPONSIBILITY_LINES", "auto")
    if choice == "rules":
        return None
    try:
        m = load_model()
    except (ValueError, OSError):
        return None
    if m is None:
        return None
    if choice == "model" or m.shipped:
        return m.decide
    return None


# -- line labels ------------------------------------------------------------------------------

def read_line_labels(doc_id: str) -> list[dict] | None:
    p = lines_dir() / f"{doc_id}.json"
    if not p.is_file():
        return None
    return json.loads(p.read_text("utf-8"))["lines"]


def label_candidates(ex, cands, labels: list[dict]) -> list[str]:
    """The label of each candidate: the role of a labelled line whose printed line and actor
    it matches (first 60 characters of the line, actor keys equal or one containing the
    other), 'none' otherwise. Each label is used once."""
    from .responsibilities import actor_key
    t = ex.text
    used = set()
    out = []
    for c in cands:
        line60 = " ".join(t[c.line.start:c.line.end].split())[:60]
        ka = actor_key(t[c.actor[0]:c.actor[1]])
        lab = "none"
        for i, x in enumerate(labels):
            if i in used or x["line"] != line60:
                continue
            kx = actor_key(x["actor"])
            if ka == kx or (kx and (f" {kx} " in f" {ka} " or f" {ka} " in f" {kx} ")):
                lab = x["label"]
                used.add(i)
                break
        out.append(lab)
    return out


def project_gold(ex, cands, gold: list[dict]) -> list[dict]:
    """Line labels from the hand-read responsibility gold: each gold entry that is not a
    table row is placed on a candidate whose actor matches it and whose section agrees --
    first an equal actor in the same section, then an equal actor in a section one of which
    extends the other ('III.2' ~ 'III.2.b'), then the same two with one actor containing the
    other; in text order within each pass. 'closing' entries go on the closing paragraphs,
    'preamble' ones before the first section. Entries that no candidate carries (per-task
    lines, partners after 'phối hợp với') are left out: those are not line decisions."""
    from .responsibilities import actor_key
    t = ex.text
    taken: set[int] = set()
    placed: dict[int, int] = {}
    keys = [actor_key(t[c.actor[0]:c.actor[1]]) for c in cands]

    def sec_ok(c, sec: str, exact: bool) -> bool:
        p = c.line.path or ""
        if sec == "closing":
            return ex.closing_line is not None and c.line.index >= ex.closing_line
        if sec == "preamble":
            return not p
        if exact:
            return p == sec
        return bool(p) and (p.startswith(sec + ".") or sec.startswith(p + "."))

    for equal in (True, False):
        for exact in (True, False):
            for gi, g in enumerate(gold):
                sec = g.get("section") or ""
                if gi in placed or sec.startswith("PL."):
                    continue
                kg = actor_key(g["actor"])
                for i, c in enumerate(cands):
                    if i in taken:
                        continue
                    ka = keys[i]
                    if equal:
                        ok = ka == kg
                    else:
                        ok = bool(kg) and (f" {kg} " in f" {ka} " or f" {ka} " in f" {kg} ")
                    if ok and sec_ok(c, sec, exact):
                        taken.add(i)
                        placed[gi] = i
                        break
    out = []
    for gi, i in sorted(placed.items(), key=lambda x: x[1]):
        c = cands[i]
        g = gold[gi]
        out.append({"line": " ".join(t[c.line.start:c.line.end].split())[:60],
                    "actor": " ".join(t[c.actor[0]:c.actor[1]].split()),
                    "label": g["role"], "section": g.get("section")})
    return out
