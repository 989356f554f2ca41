"""The closing of a document: recipients (Nơi nhận), signature blocks, appendices.

Signature blocks open with a signing prefix (T/M, K/T, T/L; TM., KT., TL., TUQ., Q.) or
with a position line, and end with the signer's name. Joint documents carry several.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from operator import attrgetter

from .models import Line, Part, Recipient, Signature
from .normalise import fold_tones
from .segment import POSITION_RE, POSITION_WORDS, SIGN_PREFIX, SIGNED_MARK, TextLine, is_person_name, split_lines

NOI_NHAN = re.compile(r"^Nơi\s+nhận\s*:?\s*", re.I)
APPENDIX = re.compile(r"^(?:PHỤ\s+LỤC|Phụ\s+lục|PHỤ\s+BIỂU|Phụ\s+biểu|BIỂU\s+MẪU|Biểu\s+mẫu|Mẫu\s+số)\b")
_BULLET = re.compile(r"^[-+•–·*]\s*")
_LUU = re.compile(r"^Lưu\b", re.I)
_APPENDIX_LABEL = re.compile(r"^((?:PHỤ\s+LỤC|Phụ\s+lục|PHỤ\s+BIỂU|Phụ\s+biểu|BIỂU\s+MẪU|Biểu\s+mẫu|Mẫu\s+số)"
                             r"(?:\s+(?:số\s+)?(?:[IVXLC]+|\d+)[a-z]?\b)?)")
_ATTACHED = re.compile(r"^\(?\s*(?:Ban\s+hành\s+)?[Kk]èm\s+theo\b")


_line_start = attrgetter("start")


def _is_type_line(t: str) -> bool:
    from .segment import type_name_by_key
    return fold_tones(t).upper().strip() in type_name_by_key()


@dataclass
class Closing:
    recipients: list[Recipient]
    signatures: list[Signature]
    appendices: list[Part]
    body_end: int
    recipients_start: int | None


def _is_position(t: str) -> bool:
    if any(map(str.islower, t)):
        return False
    return bool(POSITION_RE.match(fold_tones(t)))


def _split_authority(t: str) -> tuple[str, str | None]:
    """'T/M ĐẢNG ỦY PHÓ BÍ THƯ' (one printed line) -> ('T/M ĐẢNG ỦY', 'PHÓ BÍ THƯ')."""
    ft = fold_tones(t)
    for p in sorted(POSITION_WORDS, key=len, reverse=True):
        fp = fold_tones(p)
        if ft.endswith(" " + fp) and len(ft) > len(fp) + 1:
            head = t[: len(t) - len(p)].rstrip(" ,")
            m = SIGN_PREFIX.match(head)
            if m and head[m.end():].strip():
                return head, t[len(t) - len(p):]
    return t, None


def _signature_at(lines: list[TextLine], i: int) -> tuple[Signature, int] | None:
    """A signature block starting at line i, and the index after it.

    Authority lines open with a signing prefix; a line that follows one and is neither a
    prefix nor a position continues it ("TM. ỦY BAN NHÂN" / "DÂN", "TL." / "CỤC TRƯỞNG",
    "KT. BỘ TRƯỞNG," / "CHỦ NHIỆM"). Then come the position lines and the signer's name.
    """
    one = _one_line_signature(lines[i])
    if one:
        return one, i + 1
    auth: list[TextLine] = []
    pos: list[TextLine] = []
    phys: list[TextLine] = []      # the printed lines, for the spans
    j = i
    while j < len(lines) and j - i < 10:
        ln = lines[j]
        t = ln.text
        if not ln.upper or NOI_NHAN.match(t) or APPENDIX.match(t) or len(t) > 100:
            break
        if SIGN_PREFIX.match(t) and not pos:
            auth.append(ln)
        elif auth and not pos and (_bare_prefix(auth[-1].text) or auth[-1].text.rstrip().endswith(",")
                                   or not _is_position(t)):
            last = auth[-1]
            auth[-1] = TextLine(last.text + " " + t, last.start, ln.end, last.index)
        elif len(pos) < 3 and (pos or auth or _is_position(t)):
            pos.append(ln)
        else:
            break
        phys.append(ln)
        j += 1
    if not auth and not (pos and _is_position(pos[0].text)):
        return None
    k = j
    while k < len(lines) and k - j < 3 and (SIGNED_MARK.match(lines[k].text) or lines[k].text in {"*", "(đã ký)"}):
        k += 1
    signer = None
    block_lines = phys
    if k < len(lines) and is_person_name(lines[k].text):
        signer = lines[k]
        block_lines.append(signer)
        k += 1
    elif not auth:
        return None
    authority = [a.text for a in auth]
    position = " ".join(p.text for p in pos) or None
    if authority and position is None:
        head, tail = _split_authority(authority[-1])
        if tail:
            authority[-1] = head
            position = tail
    start = block_lines[0].start
    end = block_lines[-1].end
    sig = Signature(authority_lines=authority, position=position, signer=signer.text if signer else None,
                    start=start, end=end, lines=[Line(x.text, x.start, x.end) for x in block_lines])
    return sig, k


def _one_line_signature(ln: TextLine) -> Signature | None:
    """A block flattened onto one line: 'TM. ỦY BAN THƯỜNG VỤ QUỐC HỘI CHỦ TỊCH Trần Thanh Mẫn'."""
    t = ln.text
    if not SIGN_PREFIX.match(t) or ln.upper:
        return None
    words = t.split(" ")
    for k in range(max(1, len(words) - 6), len(words) - 1):
        head, tail = " ".join(words[:k]), " ".join(words[k:])
        if head == head.upper() and is_person_name(tail):
            authority, position = _split_authority(head)
            a = ln.start
            name_start = ln.start + len(head) + 1
            lines = [Line(authority, a, a + len(authority))]
            if position:
                p0 = ln.start + len(head) - len(position)
                lines.append(Line(position, p0, p0 + len(position)))
            lines.append(Line(tail, name_start, ln.end))
            return Signature(authority_lines=[authority], position=position, signer=tail, start=ln.start,
                             end=ln.end, lines=lines)
    return None


def _bare_prefix(t: str) -> bool:
    m = SIGN_PREFIX.match(t)
    return bool(m) and not t[m.end():].strip(" .")


def parse_closing(text: str, body_start: int) -> Closing:
    lines = split_lines(text, body_start)
    n = len(lines)
    noi = next((ln.index for ln in lines if NOI_NHAN.match(ln.text)), None)

    # signature blocks: prefixed ones anywhere after the body start; unprefixed ones in the closing zone
    zone_from = noi if noi is not None else max(0, int(n * 0.6))
    signatures: list[Signature] = []
    sig_line_idx: set[int] = set()
    i = 0
    while i < n:
        ln = lines[i]
        is_prefix = bool(SIGN_PREFIX.match(ln.text)) and (ln.upper or _one_line_signature(ln) is not None)
        if is_prefix or (i >= zone_from - 3 and ln.upper and _is_position(ln.text)):
            got = _signature_at(lines, i)
            if got:
                sig, nxt = got
                signatures.append(sig)
                sig_line_idx.update(range(i, nxt))
                i = nxt
                continue
        i += 1

    # recipients
    recipients: list[Recipient] = []
    rec_start = None
    if noi is not None:
        rec_start = lines[noi].start
        dashed = any(_BULLET.match(x.text) for x in lines[noi + 1: noi + 4])
        cur: list[TextLine] = []

        def flush():
            if not cur:
                return
            first, last = cur[0], cur[-1]
            raw = text[first.start:last.end]
            m = _BULLET.match(raw)
            a = first.start + (m.end() if m else 0)
            b = last.end
            while b > a and text[b - 1] in ";.,: ":
                b -= 1
            while a < b and text[a] == " ":
                a += 1
            if b > a:
                recipients.append(Recipient(text=text[a:b], start=a, end=b, line=raw))
            cur.clear()

        # text on the "Nơi nhận:" line itself
        head = lines[noi]
        m = NOI_NHAN.match(head.text)
        if m and head.text[m.end():].strip():
            rest_start = head.start + m.end()
            rest = head.text[m.end():]
            # a list flattened onto one line: "Nơi nhận: - A; - B; - Lưu: VT."
            cuts = [0] + [x.start() + 1 for x in re.finditer(r";\s+-\s", rest)] + [len(rest)]
            for a, b in zip(cuts, cuts[1:]):
                piece = rest[a:b]
                lead = len(piece) - len(piece.lstrip())
                cur.append(TextLine(piece.strip(), rest_start + a + lead, rest_start + a + lead + len(piece.strip()),
                                    head.index))
                if b != len(rest):
                    flush()
        for ln in lines[noi + 1:]:
            if ln.index in sig_line_idx or APPENDIX.match(ln.text) or SIGN_PREFIX.match(ln.text):
                break
            if ln.upper and _is_position(ln.text):
                break
            if is_person_name(ln.text) and not _BULLET.match(ln.text):
                break
            t = ln.text
            if cur and t.startswith("+") and cur[-1].text.rstrip().endswith(":") and not _LUU.match(t[1:].strip()):
                cur.append(ln)         # "- VP UBND tỉnh:" with its "+ LĐVP, ..." lines
                continue
            if _BULLET.match(t) or not dashed or not cur:
                if cur and not dashed and not _BULLET.match(t) and not cur[-1].text.rstrip().endswith((";", ".", ",")) \
                        and t[:1].islower():
                    cur.append(ln)     # a wrapped line of an undashed list
                    continue
                flush()
                cur.append(ln)
            else:
                cur.append(ln)         # a wrapped recipient
            if _LUU.match(_BULLET.sub("", t)) and t.rstrip().endswith("."):
                break
            if len(recipients) > 60:
                break
        flush()

    # appendices and attached documents after the signature (or the recipients)
    last_close = max([s.end for s in signatures] + [recipients[-1].end if recipients else 0, 0])
    appendices: list[Part] = []
    starts: list[tuple[TextLine, str]] = []
    # the lines from the first that starts at last_close (lines are in text order)
    for ln in lines[bisect_left(lines, last_close, key=_line_start):]:
        if APPENDIX.match(ln.text):
            starts.append((ln, "appendix"))
        elif ln.upper and _is_type_line(ln.text) and any(
                _ATTACHED.match(x.text) for x in lines[ln.index + 1: ln.index + 4]):
            starts.append((ln, "attachment"))
    for k, (ln, kind) in enumerate(starts):
        end = starts[k + 1][0].start - 1 if k + 1 < len(starts) else len(text)
        nxt = [x for x in lines[ln.index + 1: ln.index + 4] if x.upper]
        if kind == "appendix":
            m = _APPENDIX_LABEL.match(ln.text)
            label = " ".join(m.group(1).split())
            rest = ln.text[m.end():].strip(" .:-")
            title = rest or (nxt[0].text if nxt else None)
        else:
            label = ln.text
            tl = []
            for x in lines[ln.index + 1: ln.index + 6]:
                if not x.upper or _ATTACHED.match(x.text):
                    break
                tl.append(x.text)
            title = " ".join(tl) or None
        appendices.append(Part(label=label, title=title, start=ln.start, end=max(end, ln.end), kind=kind))

    # signature blocks inside appendices are forms to fill in, not the document's own
    if appendices:
        own = [s for s in signatures if s.start < appendices[0].start]
        signatures = own or signatures

    # the body ends at the recipients or the first signature after the content
    ends = []
    if rec_start is not None:
        ends.append(rec_start)
    body_sigs = [s.start for s in signatures if s.start > body_start]
    if body_sigs:
        ends.append(body_sigs[0])
    if appendices:
        ends.append(appendices[0].start)
    body_end = min(ends) if ends else len(text)
    while body_end > body_start and text[body_end - 1] in "\n ":
        body_end -= 1
    return Closing(recipients=recipients, signatures=signatures, appendices=appendices, body_end=body_end,
                   recipients_start=rec_start)
