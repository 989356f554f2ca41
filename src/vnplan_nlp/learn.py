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
    # the rules' own decision is evidence too: the model learns where to trust it
    on(f"rule={c.rule_role or 'none'}")
    on(f"rule_zone={c.rule_role or 'none'}_{ln.zone}")
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


# -- training ---------------------------------------------------------------------------------

def held_out_ids(ids: list[str]) -> list[str]:
    """Documents kept out of training: a fixed quarter chosen by a hash of the id (not by
    looking at them), so that the split does not move when files are added."""
    import hashlib
    return sorted(i for i in ids if int(hashlib.sha1(i.encode("utf-8")).hexdigest(), 16) % 4 == 0)


def _doc_data(doc_id: str, corpus: Path):
    """(extractor, candidates, labels, gold) of an annotated document."""
    from .parse import parse_path
    from .responsibilities import _Extractor
    doc = parse_path(corpus / "docs" / f"{doc_id}.txt", extract=False)
    ex = _Extractor(doc)
    ex.task_blocks()
    ex.items()
    ex.sentences()
    cands = ex.candidates()
    labels = label_candidates(ex, cands, read_line_labels(doc_id) or [])
    gold_p = settings.project_corpus_dir() / "annotations" / "responsibilities" / f"{doc_id}.json"
    gold = json.loads(gold_p.read_text("utf-8"))["responsibilities"] if gold_p.is_file() else []
    return doc, ex, cands, labels, gold


def _fit(X_dicts, y, C: float, weight: str | None = "balanced"):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    vec = DictVectorizer()
    X = vec.fit_transform(X_dicts)
    clf = LogisticRegression(C=C, max_iter=3000, class_weight=weight)
    clf.fit(X, y)
    return vec, clf


def _to_json(vec, clf, meta: dict) -> dict:
    names = vec.get_feature_names_out()
    classes = [str(c) for c in clf.classes_]
    coef = clf.coef_
    intercept = clf.intercept_
    if len(classes) == 2:       # binary: one row of weights for the second class
        coef = [-coef[0], coef[0]]
        intercept = [-intercept[0], intercept[0]]
    weights = {}
    for k, row in zip(classes, coef):
        weights[k] = {str(n): round(float(w), 6) for n, w in zip(names, row) if abs(w) > 1e-6}
    return {"name": MODEL_NAME, "format": "linear-json/1", "version": MODEL_VERSION, "classes": classes,
            "bias": {k: round(float(b), 6) for k, b in zip(classes, intercept)}, "weights": weights, **meta}


def _candidate_scores(pairs) -> dict:
    """Over (label, predicted) pairs: accuracy, and P/R/F1 of 'assigns a task' with role."""
    n = len(pairs)
    acc = sum(1 for a, b in pairs if a == b) / n if n else 0.0
    tp = sum(1 for a, b in pairs if a != "none" and b != "none")
    npred = sum(1 for _, b in pairs if b != "none")
    ngold = sum(1 for a, _ in pairs if a != "none")
    from .evaluate import prf
    p, r, f = prf(tp, npred, ngold)
    role = sum(1 for a, b in pairs if a != "none" and a == b) / tp if tp else 0.0
    return {"n": n, "accuracy": acc, "precision": p, "recall": r, "f1": f, "role_accuracy": role}


def train(corpus: Path | None = None, out_dir: Path | None = None, log=print) -> dict:
    """Rebuild the line model from ``corpus/annotations/lines`` and write it with its card.

    Trains on the annotated documents minus the held-out quarter, picks C by leaving one
    training document out at a time, and measures rules and model on the held-out documents:
    candidate decisions against the line labels, and whole responsibilities against the
    project gold. The model is marked shipped only if its actor F1 on the held-out documents
    beats the rules'. Returns the model's metadata."""
    from .evaluate import score_responsibilities, summarise
    from .responsibilities import find_responsibilities
    corpus = corpus or settings.corpus_dir()
    out_dir = out_dir or models_dir()
    ids = sorted(p.stem for p in lines_dir().glob("*.json"))
    if not ids:
        raise FileNotFoundError(f"no line labels in {lines_dir()}")
    held = held_out_ids(ids)
    train_ids = [i for i in ids if i not in held]
    log(f"line labels: {len(ids)} documents; training on {len(train_ids)}, holding out {len(held)}: {', '.join(held)}")
    data = {i: _doc_data(i, corpus) for i in ids}

    def xy(doc_ids):
        X, y, groups = [], [], []
        for i in doc_ids:
            doc, ex, cands, labels, gold = data[i]
            for c, lab in zip(cands, labels):
                X.append(features(ex, c))
                y.append(lab)
                groups.append(i)
        return X, y, groups

    X, y, groups = xy(train_ids)
    # C by leave-one-document-out on the training documents
    best_c, best_w, best_f = 1.0, "balanced", -1.0
    for weight in ("balanced", None):
        for C in (0.1, 0.3, 1.0, 3.0):
            pairs = []
            for d in train_ids:
                tr = [k for k, g in enumerate(groups) if g != d]
                te = [k for k, g in enumerate(groups) if g == d]
                if not te or len({y[k] for k in tr}) < 2:
                    continue
                vec, clf = _fit([X[k] for k in tr], [y[k] for k in tr], C, weight)
                pred = clf.predict(vec.transform([X[k] for k in te]))
                pairs.extend(zip([y[k] for k in te], [str(p) for p in pred]))
            sc = _candidate_scores(pairs)
            f = (sc["f1"] + sc["accuracy"]) / 2
            log(f"  C={C:<4} class_weight={weight!s:<8} leave-one-document-out candidate F1 {sc['f1']:.3f}, "
                f"accuracy {sc['accuracy']:.3f}")
            if f > best_f:
                best_c, best_w, best_f = C, weight, f
    vec, clf = _fit(X, y, best_c, best_w)
    model = LineModel(_to_json(vec, clf, {}))

    # held-out figures: candidates (labels) and responsibilities (project gold)
    rule_pairs, model_pairs = [], []
    rule_counts, model_counts = [], []
    per_doc = []
    for i in held:
        doc, ex, cands, labels, gold = data[i]
        rule_pairs.extend(zip(labels, [c.rule_role or "none" for c in cands]))
        model_pairs.extend(zip(labels, [model.predict(features(ex, c)) for c in cands]))
        rp = [r.to_dict() for r in find_responsibilities(doc, decide=None)]
        mp = [r.to_dict() for r in find_responsibilities(doc, decide=model.decide)]
        rc = score_responsibilities(gold, rp)
        mc = score_responsibilities(gold, mp)
        rule_counts.append(rc)
        model_counts.append(mc)
        per_doc.append({"id": i, "gold": len(gold), "rules_f1": summarise([rc])["f1"],
                        "model_f1": summarise([mc])["f1"]})
    rules_c, model_c = _candidate_scores(rule_pairs), _candidate_scores(model_pairs)
    rules_e, model_e = summarise(rule_counts), summarise(model_counts)
    for r in (rules_e, model_e):
        r.pop("pairs", None)
    shipped = model_e["f1"] > rules_e["f1"]
    meta = {
        "trained_on": train_ids, "held_out": held, "C": best_c, "class_weight": best_w,
        "loo_selection_score": round(best_f, 4),
        "n_train_candidates": len(y), "train_label_counts": {k: y.count(k) for k in CLASSES},
        "held_out_figures": {"candidates": {"rules": rules_c, "model": model_c},
                             "responsibilities": {"rules": rules_e, "model": model_e}, "per_document": per_doc},
        "shipped": shipped, "sklearn": _sklearn_version(),
    }
    data_json = _to_json(vec, clf, meta)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{MODEL_NAME}.json").write_text(json.dumps(data_json, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (out_dir / f"{MODEL_NAME}.md").write_text(model_card(data_json), "utf-8")
    load_model.cache_clear()
    log(f"held out, candidates:        rules F1 {rules_c['f1']:.3f} acc {rules_c['accuracy']:.3f}   "
        f"model F1 {model_c['f1']:.3f} acc {model_c['accuracy']:.3f}")
    log(f"held out, responsibilities:  rules actor F1 {rules_e['f1']:.3f} role {rules_e['role_accuracy']:.3f}   "
        f"model actor F1 {model_e['f1']:.3f} role {model_e['role_accuracy']:.3f}")
    log("shipped: the model decides which clauses assign" if shipped else
        "not shipped: the model does not beat the rules on the held-out documents; the rules stay in charge")
    log(f"wrote {out_dir / (MODEL_NAME + '.json')} and {MODEL_NAME}.md")
    return meta


def _sklearn_version() -> str:
    try:
        import sklearn
        return sklearn.__version__
    except ImportError:     # pragma: no cover - train needs it
        return "?"


def model_card(m: dict) -> str:
    h = m["held_out_figures"]
    rc, mc = h["candidates"]["rules"], h["candidates"]["model"]
    re_, me = h["responsibilities"]["rules"], h["responsibilities"]["model"]
    lines = [
        f"# Model card: {MODEL_NAME} (version {m['version']})",
        "",
        "**What it decides.** For each candidate clause of a plan -- a place where an actor phrase opens a",
        "numbered item, a bullet, a sentence or a clause (after ';', ':', an opening phrase, or the cue",
        "words Giao / Đề nghị / Yêu cầu / chỉ đạo) -- whether it assigns a task, and with which role:",
        "`none`, `lead`, `coordinate`, `execute`. Per-task lines, partners after 'chủ trì, phối hợp với'",
        "and appendix task tables are read by structure and are not its business.",
        "",
        "**Model.** Multinomial logistic regression (scikit-learn "
        f"{m.get('sklearn', '?')}, class_weight={m.get('class_weight')}, C={m['C']}; both chosen by leaving one",
        "training document out at a time, on the mean of candidate F1 and accuracy), over sparse",
        "features: the rules' own decision, zone of the section (assigning / content / skipped), line",
        "kind, clause position and cue word, words of the section titles, the actor's first words, what",
        "follows the actor (colon, end of line, the first predicate words), cue words in the clause, an",
        "item actor already given, character 3- and 4-grams of the predicate's start. Stored as JSON",
        f"(`models/{MODEL_NAME}.json`: classes, biases, non-zero weights by feature name); read on first",
        "use, never unpickled; prediction needs no scikit-learn.",
        "",
        "**Data.** `corpus/annotations/lines/` (see its README): the hand-read responsibility gold placed",
        f"on candidate clauses. {len(m['trained_on']) + len(m['held_out'])} documents; split by document,",
        "a fixed quarter chosen by a hash of the document id:",
        "",
        f"- trained on ({len(m['trained_on'])}): " + ", ".join(f"`{i}`" for i in m["trained_on"]),
        f"- held out ({len(m['held_out'])}): " + ", ".join(f"`{i}`" for i in m["held_out"]),
        f"- training candidates: {m['n_train_candidates']} "
        + "(" + ", ".join(f"{k} {v}" for k, v in m["train_label_counts"].items()) + ")",
        "",
        "**Figures on the held-out documents** (rules = the hand-written cue rules of",
        "`responsibilities.py`; responsibilities scored against `corpus/annotations/responsibilities`",
        "with the matching rule of `benchmarks/eval_responsibilities.py`):",
        "",
        "| | rules | model |",
        "|---|---|---|",
        f"| candidate clauses: accuracy (4 classes) | {rc['accuracy']:.3f} | {mc['accuracy']:.3f} |",
        f"| candidate clauses: assigns-a-task F1 | {rc['f1']:.3f} | {mc['f1']:.3f} |",
        f"| candidate clauses: role accuracy where both assign | {rc['role_accuracy']:.3f} | {mc['role_accuracy']:.3f} |",
        f"| responsibilities: actor precision | {re_['precision']:.3f} | {me['precision']:.3f} |",
        f"| responsibilities: actor recall | {re_['recall']:.3f} | {me['recall']:.3f} |",
        f"| responsibilities: actor F1 | {re_['f1']:.3f} | {me['f1']:.3f} |",
        f"| responsibilities: role accuracy on matched | {re_['role_accuracy']:.3f} | {me['role_accuracy']:.3f} |",
        f"| responsibilities: deadline accuracy on matched | {re_['deadline_accuracy']:.3f} | {me['deadline_accuracy']:.3f} |",
        "",
        "Per held-out document (actor F1): " + "; ".join(
            f"`{d['id']}` rules {d['rules_f1']:.2f}, model {d['model_f1']:.2f}" for d in h["per_document"]),
        "",
        "**Caveats.** The rules were written while reading all the gold documents, the held-out ones",
        "included, so the rules' held-out figures are optimistic; the model's are not. Six held-out",
        "documents are few: one document moves the F1 by a point or more. The rules' decision is one of",
        "the features, so the model must be retrained (`vnplan train`) whenever the rules change.",
        "",
        "**Shipped:** " + ("yes -- its held-out actor F1 beats the rules', so `find_responsibilities` lets it"
                           " decide which clauses assign (`VNPLAN_RESPONSIBILITY_LINES=rules` forces the rules)."
                           if m["shipped"] else
                           "no -- it does not beat the rules on the held-out documents, so the rules stay in"
                           " charge; `VNPLAN_RESPONSIBILITY_LINES=model` uses it anyway."),
        "",
        "Rebuild: `vnplan train` (needs scikit-learn and ../shared/corpus).",
        "",
    ]
    return "\n".join(lines)
