"""Assemble statistics from the tokens of one sentence and the rule matches inside it.

The matcher (patterns in ``patterns/*.jsonl``) marks the words that matter: statistic
keywords, units, counted nouns, CI/SD/range markers, p-value signs, timepoints and numbers
that are no statistics (years, inclusion ages, citations). This module walks the numbers
of a sentence left to right, reads what is attached to each one (``± SD``, ``(95% CI ...)``,
``(range, 0–10)``, ``n/N (x%)``) and decides which statistic it is. Everything here is plain
Python over lists built once per document, so its cost grows with the number of numbers.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import compress

from evidextract.extract._numbers import (
    NUMBER_WORDS,
    ordinal_value,
    unit_days,
    words_to_number,
)

COMPARATORS = {"<": "<", "=": "=", ">": ">", "\u2264": "<=", "\u2265": ">=", "<=": "<=",
               ">=": ">=", "\u2266": "<=", "\u2267": ">="}
_WORD_COMPARATORS = {
    ("higher", "than"): ">", ("greater", "than"): ">", ("more", "than"): ">",
    ("larger", "than"): ">", ("above",): ">", ("exceeding",): ">", ("over",): ">",
    ("lower", "than"): "<", ("less", "than"): "<", ("fewer", "than"): "<",
    ("smaller", "than"): "<", ("below",): "<", ("under",): "<", ("up", "to"): "<=",
    ("at", "least"): ">=", ("at", "most"): "<=",
}
_MINUS_TOKENS = {"-", "\u2212", "\u2013"}
_RANGE_DASHES = {"-", "\u2013", "\u2014", "\u2212", "to", "\u223c", "~", "and"}
_PM = {"\u00b1", "+/-", "+/\u2212"}
_OPEN = {"(": ")", "[": "]"}
_ITEM_SEPARATORS = {";", ","}
_COMPARATIVES = {"larger", "higher", "smaller", "lower", "greater", "more", "less", "increased",
                 "decreased", "reduced", "improved", "longer", "shorter", "fewer", "rose",
                 "fell", "dropped", "declined", "increase", "decrease", "reduction"}
_RUN_GAP = {",", "and", "vs", "vs.", "versus", "or", "to", "compared", "with", "respectively"}
_MODIFIER_STOP = {
    "of", "with", "and", "or", "in", "the", "a", "an", "were", "was", "had", "have", "has",
    "who", "that", "which", "for", "to", "at", "from", "by", "on", "vs", "vs.", "versus", "are",
    "is", "be", "been", "per", "each", "than", "as", "into", "underwent", "received", "did",
    "showed", "not", "no", "all", "these", "those", "their", "after", "before", "during",
}
_GROUP_PREPOSITIONS = {"for", "in", "among", "amongst"}
_GROUP_STOP = {",", ";", ".", "(", ")", "[", "]", "and", "were", "was", "is", "are", "had",
               "vs", "vs.", "versus", "compared", "whereas", "while", "but", "which", "who",
               "respectively", ":", "than", "with", "at", "after", "as", "to", "by", "of"}
#: How far back (tokens) context is looked for: keeps the work linear in long sentences.
_LOOKBACK = 80
# After "24-hour" or "44-month", nouns that make it a length of time, not a timepoint.
_DURATION_NOUNS = {"period", "periods", "interval", "window", "span", "recall", "course"}
# Words that may follow a score out of 10 or 100 ("7.1/10 with a range", "2/10 at 3 months");
# any other word makes "/100" a rate ("36.6/100 person-years") or a count ("7/10 lesions").
_AFTER_SCORE = {"with", "at", "and", "or", "in", "on", "after", "before", "vs", "vs.", "versus",
                "to", "for", "from", "was", "were", "by", "during", "compared", "respectively",
                "while", "whereas", "but", "than", "points", "point", "pts"}
# Nouns that a number names rather than measures: "dose 2", "codon 12", "grade 3".
_LABEL_NOUNS = {"dose", "codon", "grade", "stage", "type", "group", "arm", "cycle", "level",
                "phase", "experiment", "cohort", "study", "trial", "visit", "segment", "score",
                "week", "weeks", "day", "days", "month", "months", "year", "years", "version",
                "patient", "case", "lesion", "figure", "table", "model"}
_DIAGNOSTIC = {"sensitivity", "specificity", "accuracy", "auc"}
_UNIT_RANGE_STATS = {"auc", "icc", "kappa", "sensitivity", "specificity", "accuracy"}
_ESTIMATES = {"auc", "icc", "kappa", "correlation", "smd", "mean_difference", "odds_ratio",
              "risk_ratio", "hazard_ratio", "coefficient", "sensitivity", "specificity",
              "accuracy", "i2"}


@dataclass
class DocIndex:
    """What the matcher found in a document, indexed by token position."""

    texts: list
    lowers: list
    numbers: list
    spaces: list
    starts: dict = field(default_factory=dict)   # label -> {start: (end, id)}
    covered: dict = field(default_factory=dict)  # label -> {token: (start, end, id)}
    sd_declared: bool = False
    se_declared: bool = False
    iqr_declared: bool = False
    abbreviations: dict = field(default_factory=dict)
    tp_sorted: list | None = None
    positions: list | None = None
    is_num: list | None = None
    # State kept across the sentences of a document:
    seen_counts: list = field(default_factory=list)  # sample sizes stated so far
    list_sums: dict = field(default_factory=dict)    # list start -> sum of its counts
    keyword_starts: list | None = None               # sorted starts of statistic keywords
    sorted_covered: dict = field(default_factory=dict)  # label -> sorted covered tokens


@dataclass
class Row:
    """One statistic while it is being assembled (token offsets, then fields)."""

    a: int
    b: int
    stat: str | None = None
    value: float | None = None
    fields: dict = field(default_factory=dict)
    pattern: str = ""
    link: Row | None = None
    percent: bool = False
    integer: bool = False


def build_index(texts, spaces, matches, labels, more_matches=None, *, columns) -> DocIndex:
    """Index matcher output ``[(label, id, start, end)]`` by label and token position.

    ``columns`` are the tokens' ``(lowers, numbers, is_num)``, as
    :func:`~evidextract.extract._tokens.token_columns` gives them.
    ``more_matches(texts, lowers, numbers, is_num)``, when given, returns more matches.
    """
    lowers, numbers, is_num = columns
    index = DocIndex(texts=texts, lowers=lowers, numbers=numbers, spaces=spaces)
    index.is_num = is_num
    if more_matches is not None:
        matches = list(matches) + more_matches(texts, lowers, numbers, index.is_num)
    for label in labels:
        index.starts[label] = {}
        index.covered[label] = {}
    years = []
    for label, pid, start, end in matches:
        if label == "NOT_STAT" and pid == "year" and end - start == 1:
            years.append((label, pid, start, end))
            continue
        if label == "NOT_STAT" and pid == "year" and not _is_year_match(index, start, end):
            continue
        if label == "NOT_STAT" and pid == "inclusion_age" and start and \
                lowers[start - 1] in ("mean", "median", "average"):
            continue  # "mean age of 61.8 years" is a statistic
        best = index.starts[label].get(start)
        if best is None or best[0] < end:
            index.starts[label][start] = (end, pid)
        cover = index.covered[label]
        for i in range(start, end):
            old = cover.get(i)
            if old is None or old[1] - old[0] < end - start:
                cover[i] = (start, end, pid)
    # A lone four-digit number is a year when it reads as one: 1900-2100, counting nothing.
    nouns, units = index.starts["COUNT_NOUN"], index.starts["UNIT"]
    for _label, _pid, start, end in years:
        nxt = end if end < len(texts) else None
        if not _is_year_match(index, start, end) or start in index.covered["NOT_STAT"]:
            continue
        if nxt is not None and (nxt in nouns or nxt in units or texts[nxt] in ("%", "/")
                                or _noun_within(index, nxt)):
            continue
        index.starts["NOT_STAT"][start] = (end, "year")
        index.covered["NOT_STAT"][start] = (start, end, "year")
    # "95% CI", "95%-CI": the level before the interval's name.
    ci_starts = index.starts["CI"]
    for k in sorted(ci_starts):
        m = k - 1 if k and texts[k - 1] == "%" else k - 2 if k > 1 and texts[k - 1] == "-" \
            and texts[k - 2] == "%" else None
        if m is not None and m > 0 and numbers[m - 1] is not None:
            end, _ = ci_starts.pop(k)
            ci_starts[m - 1] = (end, "ci_level")
    spread = index.starts["SPREAD"]
    index.sd_declared = any(pid == "sd" for _, pid in spread.values())
    index.se_declared = any(pid == "se" for _, pid in spread.values())
    index.iqr_declared = any(pid == "iqr" for _, pid in index.starts["RANGE"].values())
    index.abbreviations = _abbreviations(index)
    return index


def _noun_within(index, k, span=3):
    """Tell whether a counted noun starts within ``span`` words of ``k`` (``2000 adult men``)."""
    for m in range(k, min(len(index.texts), k + span)):
        if m in index.starts["COUNT_NOUN"]:
            return True
        if not index.texts[m].isalpha():
            return False
    return False


def _is_year_match(index, start, end):
    for i in range(start, end):
        v = index.numbers[i]
        if v is not None and 1900 <= v <= 2100 and index.texts[i].isdigit():
            return True
    return False


def _abbreviations(index):
    """Abbreviations defined as ``long form (ABBR)`` whose long form ends in a counted noun."""
    found = {}
    texts = index.texts
    nouns = index.covered["COUNT_NOUN"]
    # Only the tokens after an opening bracket: the brackets are found at C speed.
    for bracket in compress(range(len(texts)), map("(".__eq__, texts)):
        i = bracket + 1
        if 2 <= i < len(texts) - 1 and texts[i + 1] == ")" and texts[i].isupper() \
                and len(texts[i]) > 1:
            hit = nouns.get(i - 2)
            if hit is not None and hit[1] == i - 1:
                found[texts[i]] = hit[2]
    return found


# --------------------------------------------------------------------------- numbers

def read_number(index, i, lo):
    """Read the number at token ``i`` with its sign; return ``(value, start, end)`` or None."""
    v = index.numbers[i]
    if v is None:
        return None
    a = i
    prev = i - 1
    if prev >= lo and index.texts[prev] in _MINUS_TOKENS and v >= 0:
        before = prev - 1
        if before < lo or (index.numbers[before] is None and index.texts[before] != "%"):
            v, a = -v, prev
    return v, a, i + 1


def read_number_words(index, i, hi):
    """Read a written number (``One hundred fifty-one``) at ``i``: ``(value, end)`` or None."""
    lowers = index.lowers
    if lowers[i] not in NUMBER_WORDS:
        return None
    j = i + 1
    while j < hi and (lowers[j] in NUMBER_WORDS or (
            lowers[j] in ("-", "and") and j + 1 < hi and lowers[j + 1] in NUMBER_WORDS)):
        j += 1
    value = words_to_number(index.texts[i:j])
    return None if value is None else (float(value), j)


# --------------------------------------------------------------------------- timepoints

@dataclass
class Timepoint:
    """A timepoint mention: token span, text as written and length in days."""

    a: int
    b: int
    text: str
    days: float | None


def find_timepoints(index, lo, hi, value_tokens):
    """Return the timepoints of tokens ``lo:hi`` (not those that are values)."""
    found = []
    texts = index.texts
    if index.tp_sorted is None:
        index.tp_sorted = sorted(index.starts["TIMEPOINT"])
    first = bisect_left(index.tp_sorted, lo)
    last = bisect_left(index.tp_sorted, hi)
    for start in index.tp_sorted[first:last]:
        end, pid = index.starts["TIMEPOINT"][start]
        if end > hi or start in value_tokens:
            continue
        if found and start < found[-1].b:
            continue
        text = _span_text(index, start, end)
        days = None
        if pid == "tp_baseline":
            days = 0.0
        elif pid == "tp_number_unit":
            value = index.numbers[start]
            if value is None:
                value = words_to_number([texts[start]]) or ordinal_value(texts[start])
            if value is None or (start > lo and "-" not in texts[start:end]
                                 and _is_value_context(index, start, lo)):
                continue
            if start > lo and texts[start - 1] in COMPARATORS:
                continue  # "(≥ 50 years)": an age limit, not a time
            if end < hi and index.lowers[end] in _DURATION_NOUNS:
                continue  # "in a 24-hour period": how long, not when
            per = unit_days(texts[end - 1])
            days = None if per is None else value * per
            # "Two- and 5-year", "at 1, 3, 5 years": earlier numbers share the unit.
            unit = texts[end - 1]
            hyphen = "-" in texts[start:end]
            items = [(k, v0) for k, v0 in coordinated_numbers(index, start, lo)
                     if k not in value_tokens]
            if items and per is not None:
                for sep, v0 in reversed(items):
                    one = unit[:-1] if v0 == 1 and unit.endswith("s") else unit
                    label = f"{_fmt(v0)}-{unit}" if hyphen else f"{_fmt(v0)} {one}"
                    found.append(Timepoint(sep, sep + 1, label, v0 * per))
                text = f"{_fmt(value)}-{unit}" if hyphen else f"{_fmt(value)} {unit}"
        elif pid == "tp_ordinal_unit":
            n = ordinal_value(texts[start])
            per = unit_days(texts[end - 1])
            days = None if n is None or per is None else n * per
        elif pid == "tp_unit_number":
            value = index.numbers[end - 1]
            per = unit_days(texts[start])
            days = None if value is None or per is None else value * per
        found.append(Timepoint(start, end, text, days))
    return found


def coordinated_numbers(index, start, lo):
    """Numbers listed before the one at ``start``: ``1, 3 and`` in ``1, 3 and 5 years``."""
    items = []
    k = start - 1
    lowers, texts = index.lowers, index.texts
    while k >= lo and len(items) < 8:
        sep = k
        while sep >= lo and lowers[sep] in (",", "and", "or", "-"):
            sep -= 1
        if sep == k or sep < lo:
            break
        v0 = index.numbers[sep]
        if v0 is None:
            v0 = words_to_number([texts[sep]])
        if v0 is None or v0 < 0:
            break
        items.append((sep, v0))
        k = sep - 1
    return items


def _fmt(value):
    return str(int(value)) if float(value).is_integer() else str(value)


_AFTER_TIME = {"after", "post", "following", "later", "postoperatively", "postoperative",
               "post-treatment", "posttreatment", "postprocedure", "post-procedure", "from"}


# "treated for 12 months (+/- 3)", "over 2 years (99% CI ...)": a length of time set or
# spanned, not measured.
_DURATION_PREPOSITIONS = {"for", "over", "during", "within", "after", "until", "in", "at"}


def _is_value_context(index, i, lo):
    """Tell whether the number at ``i`` is a value (``mean follow-up of 12.6 months``).

    ``6 months after surgery`` is a time even after ``mean``.
    """
    unit_end = i + 1
    while unit_end < len(index.texts) and unit_days(index.texts[unit_end]) is None \
            and unit_end < i + 3:
        unit_end += 1
    if unit_end + 1 < len(index.texts) and index.lowers[unit_end + 1] in _AFTER_TIME:
        return False
    if unit_end + 2 < len(index.texts) and index.texts[unit_end + 1] in _OPEN and any(
            unit_end + 2 in index.starts[label] for label in ("RANGE", "SPREAD", "CI")) \
            and not (i > lo and index.lowers[i - 1] in _DURATION_PREPOSITIONS):
        return True  # "14 months (IQR 8-20)": a length of time with its spread
    for k in range(i - 1, max(lo, i - 8) - 1, -1):
        hit = index.covered["STAT_KEYWORD"].get(k)
        if hit is not None and hit[2] in ("mean", "median"):
            return True
        if index.texts[k] in (";", ".", ")") or index.numbers[k] is not None:
            return False
    return False


def _span_text(index, a, b):
    out = []
    for i in range(a, b):
        out.append(index.texts[i])
        if i < b - 1 and index.spaces[i]:
            out.append(" ")
    return "".join(out)


# --------------------------------------------------------------------------- attachments

def _read_pair(index, j, hi):
    """Read ``NUM (to|-|–) NUM`` at ``j``: ``(low, high, end)`` or None."""
    first = _signed(index, j, hi)
    if first is None:
        return None
    low, k = first
    if k < hi and index.lowers[k] in _RANGE_DASHES - {"and"}:
        second = _signed(index, k + 1, hi)
        if second is not None:
            return low, second[0], second[1]
    if k < hi and index.texts[k] == "," and k + 1 < hi:
        second = _signed(index, k + 1, hi)
        if second is not None:
            return low, second[0], second[1]
    return None


def _signed(index, j, hi):
    """Read a number with an optional detached sign at ``j``: ``(value, end)`` or None."""
    if j < hi and index.texts[j] in _MINUS_TOKENS and j + 1 < hi \
            and index.numbers[j + 1] is not None:
        return -index.numbers[j + 1], j + 2
    if j < hi and index.numbers[j] is not None:
        return index.numbers[j], j + 1
    return None


def _skip(index, j, hi, tokens=(":", ",", "=", "of", "was", "is", "were")):
    while j < hi:
        if index.lowers[j] in tokens:
            j += 1
        elif index.texts[j] in _OPEN and j + 2 < hi \
                and index.texts[j + 2] == _OPEN[index.texts[j]] \
                and index.texts[j + 1] in ("CI", "CIs", "SD", "SE", "IQR", "CrI"):
            j += 3  # "95% confidence interval [CI]: ..."
        else:
            break
    return j


def read_p_value(index, j, hi):
    """Read a p-value whose marker (``p <``) starts at ``j``.

    Returns ``(comparator, [values], value_start, end)`` or None.
    """
    end, pid = index.starts["P_VALUE"][j]
    comparator = COMPARATORS.get(index.texts[end - 1], "=") if pid == "p_sign" else "="
    k = end
    number = _signed(index, k, hi)
    if number is None:
        return None
    values = [number[0]]
    k = number[1]
    if k + 1 < hi and index.lowers[k] in ("-", "\u2013", "to") \
            and index.numbers[k + 1] is not None and index.numbers[k + 1] <= 1 and values[0] <= 1:
        values.append(index.numbers[k + 1])
        k += 2
    if any(v < 0 or v > 1 for v in values):
        return None
    # "(P = 0.0001 and < 0.0001, respectively)": a second p-value with its own sign.
    if k + 2 < hi and index.lowers[k] in ("and", ",") and index.texts[k + 1] in COMPARATORS:
        second = _signed(index, k + 2, hi)
        if second is not None and 0 <= second[0] <= 1 and len(values) == 1:
            return [comparator, COMPARATORS[index.texts[k + 1]]], [values[0], second[0]], \
                end, second[1]
    return comparator, values, end, k


def _unit_after(index, row, j, hi):
    """Give ``row`` the unit written at ``j`` after its spread or brackets; return where it ends.

    ``65 ± 7 years``, ``62.3 (SD 8.1) years``: the unit follows what is attached to the value.
    """
    if "unit" in row.fields or j >= hi:
        return j
    unit = index.starts["UNIT"].get(j)
    if unit is not None:
        row.fields["unit"] = _span_text(index, j, unit[0])
        return unit[0]
    if unit_days(index.texts[j]) is not None:
        row.fields["unit"] = index.texts[j]
        return j + 1
    return j


def read_attachments(index, row, j, hi, consumed, sentence_ci):
    """Read what follows a value at ``j``: spread, CI, range, fraction, p-values.

    Fills ``row.fields`` and returns ``(text_end, new_p_rows)``.
    """
    fields = row.fields
    texts = index.texts
    text_end = j
    p_rows = []
    while j < hi:
        t = texts[j]
        if t in _PM:
            number = _signed(index, j + 1, hi)
            if number is None or number[0] < 0:
                break  # "± −2.00" is no spread
            fields["se" if index.se_declared and not index.sd_declared else "sd"] = number[0]
            j = text_end = _unit_after(index, row, number[1], hi)
            continue
        if t in _OPEN:
            close = _OPEN[t]
            end = _matching(index, j, hi, t, close)
            if end is None:
                break
            got, last, ps = _read_items(index, row, j + 1, end, consumed, sentence_ci)
            p_rows.extend(ps)
            if not got:
                break
            text_end = last
            j = _unit_after(index, row, end + 1, hi)  # "62.3 (SD 8.1) years"
            if j > end + 1:
                text_end = j
                break  # "49 (1 - 94) years (41% women)": the next brackets are another's
            continue
        ci = index.starts["CI"].get(j)
        if ci is not None and ci[1] == "ci_level" and "ci_low" not in fields:
            got, last = _read_item(index, row, j, hi)  # "OR 3.7 95% CI (1.8 to 8.0)"
            if not got:
                break
            j = text_end = last
            continue
        if t in _ITEM_SEPARATORS and j + 1 < hi:
            k = j + 1
            if k in index.starts["P_VALUE"]:
                p = read_p_value(index, k, hi)
                if p is None:
                    break
                p_rows.extend(_p_rows(index, p, k, row))
                consumed.update(range(k, p[3]))
                j = p[3]
                continue
            if k in index.starts["CI"] or k in index.starts["RANGE"] or k in index.starts["SPREAD"]:
                got, last = _read_item(index, row, k, hi)
                if not got:
                    break
                j = text_end = last
                continue
            if sentence_ci and "ci_low" not in fields:
                pair = _read_pair(index, k, hi)
                if pair is not None:
                    fields["ci_low"], fields["ci_high"] = pair[0], pair[1]
                    if sentence_ci[1] is not None:
                        fields["ci_level"] = sentence_ci[1]
                    j = text_end = pair[2]
                    continue
        break
    return text_end, p_rows


def _matching(index, j, hi, opener, closer):
    depth = 0
    for k in range(j, min(hi, j + 60)):
        t = index.texts[k]
        if t == opener:
            depth += 1
        elif t == closer:
            depth -= 1
            if depth == 0:
                return k
    return None


def _read_items(index, row, j, end, consumed, sentence_ci=None):
    """Read the items inside brackets ``j:end``; return ``(any, last_end, p_rows)``."""
    got = False
    last = j
    p_rows = []
    k = j
    last_was_p = False
    while k < end:
        if k in index.starts["P_VALUE"]:
            p = read_p_value(index, k, end)
            if p is None:
                return got, last, p_rows
            p_rows.extend(_p_rows(index, p, k, row))
            consumed.update(range(k, p[3]))
            k = p[3]
            last_was_p = True
        else:
            last_was_p = False
            ok, stop = _read_item(index, row, k, end, sentence_ci)
            if not ok:
                return got, last, p_rows
            got = True
            last = k = stop
            if k < end and index.texts[k] in ("]", ")") and k + 1 < end:
                k += 1
        if k < end and index.texts[k] in _ITEM_SEPARATORS:
            k += 1
            continue
        if k >= end:
            # The text ends with the closing bracket, or before a trailing p-value.
            last = max(last, end + 1) if got and not last_was_p else last
            break
        return got, last, p_rows
    return got, last, p_rows


def _read_item(index, row, k, end, sentence_ci=None):
    """Read one attachment at ``k``; return ``(understood, end_of_item)``."""
    fields = row.fields
    texts, lowers = index.texts, index.lowers
    if texts[k] in _PM:
        number = _signed(index, k + 1, end)
        if number is None or number[0] < 0:
            return False, k
        fields["se" if index.se_declared and not index.sd_declared else "sd"] = number[0]
        return True, number[1]
    spread = index.starts["SPREAD"].get(k)
    if spread is not None and spread[1] in ("sd", "se"):
        m = _skip(index, spread[0], end)
        number = _signed(index, m, end)
        if number is None:
            return False, k
        fields[spread[1]] = number[0]
        return True, number[1]
    ci = index.starts["CI"].get(k)
    if ci is not None:
        m = _skip(index, ci[0], end)
        pair = _read_pair(index, m, end)
        if pair is None and m + 1 < end and texts[m] in _OPEN:
            # "OR 3.7 95% CI (1.8 to 8.0)": the bounds in brackets of their own
            pair = _read_pair(index, m + 1, end)
            if pair is None or pair[2] >= end or texts[pair[2]] != _OPEN[texts[m]]:
                return False, k
            pair = (pair[0], pair[1], pair[2] + 1)
        if pair is None:
            return False, k
        fields["ci_low"], fields["ci_high"] = pair[0], pair[1]
        level = index.numbers[k] if ci[1] == "ci_level" else None
        fields["ci_level"] = level / 100 if level is not None else 0.95
        return True, _after_percent_pair(index, pair[2], end)
    rng = index.starts["RANGE"].get(k)
    if rng is not None:
        m = _skip(index, rng[0], end)
        pair = _read_pair(index, m, end)
        if pair is None:
            return False, k
        key = "iqr" if rng[1] == "iqr" else "range"
        fields[f"{key}_low"], fields[f"{key}_high"] = pair[0], pair[1]
        return True, pair[2]
    if lowers[k] in ("n", "total") and k + 2 < end:
        m = k + 1 if lowers[k] == "n" else k + 2
        if texts[m] == "=" and index.numbers[m + 1] is not None \
                and float(index.numbers[m + 1]).is_integer():
            fields["count" if row.percent and "count" not in fields else "total"] = \
                int(index.numbers[m + 1])
            return True, m + 2
        return False, k
    if lowers[k] in ("out", "of") :
        m = k + 2 if lowers[k] == "out" and k + 1 < end and lowers[k + 1] == "of" else k + 1
        if m < end and index.numbers[m] is not None and row.integer \
                and float(index.numbers[m]).is_integer():
            fields["count"] = int(row.value)
            fields["total"] = int(index.numbers[m])
            stop = m + 1
            stop = _skip_noun(index, stop, end)
            if stop < end and texts[stop] in _OPEN:
                close = _matching(index, stop, end + 1, texts[stop], _OPEN[texts[stop]])
                if close is not None and close - stop == 3 and texts[stop + 2] == "%":
                    pct = index.numbers[stop + 1]
                    if pct is not None:
                        fields["percent"] = pct / 100
                        stop = close + 1
            return True, stop
        return False, k
    number = _signed(index, k, end)
    if number is None:
        return False, k
    value, m = number
    if m < end and texts[m] == "/" and m + 1 < end and index.numbers[m + 1] is not None:
        total = index.numbers[m + 1]
        if not (float(value).is_integer() and float(total).is_integer() and 0 <= value <= total):
            return False, k
        fields["count"], fields["total"] = int(value), int(total)
        return True, m + 2
    if m < end and texts[m] == "%":
        fields["percent"] = value / 100
        return True, m + 1
    pair = _read_pair(index, k, end)
    if pair is not None and (pair[2] == end or texts[pair[2]] in _ITEM_SEPARATORS):
        if row.stat in _ESTIMATES or (row.stat == "proportion" and not row.percent) or (
                row.stat in ("mean", None) and sentence_ci is not None and "sd" not in fields
                and (row.stat == "mean" or _bracketed(index, row.a, 0))):
            # "lifestyle (2.48 [1.45–4.22])" after "hazard ratio 2.34 [95% CI 1.32–4.15]"
            fields["ci_low"], fields["ci_high"] = pair[0], pair[1]
            fields.setdefault("ci_level", 0.95 if row.stat in _ESTIMATES or row.stat ==
                              "proportion" else sentence_ci[1])
        elif row.stat == "median" or "sd" in fields or "se" in fields or (
                row.stat == "mean" and sentence_ci is None and pair[0] <= row.value <= pair[1]):
            # "median 6 (3–12)", "3.8 ± 1.9 (1-8)", "Average age was 49 (1 - 94) years": a
            # range (IQR when the abstract says so); a mean's interval is named as one
            key = "iqr" if index.iqr_declared and row.stat == "median" else "range"
            fields[f"{key}_low"], fields[f"{key}_high"] = pair[0], pair[1]
        else:
            return False, k
        return True, _after_percent_pair(index, pair[2], end)
    if m == end and not row.percent and not row.integer and abs(value) < abs(row.value or 0) + 1e9:
        if index.se_declared and not index.sd_declared:
            fields["se"] = value
            return True, m
        if index.sd_declared:
            fields["sd"] = value
            return True, m
    return False, k


def _after_percent_pair(index, k, end):
    return k + 1 if k < end and index.texts[k] == "%" else k


def _skip_noun(index, k, end):
    hit = index.starts["COUNT_NOUN"].get(k)
    if hit is not None:
        return hit[0]
    if k < end and index.texts[k] in index.abbreviations:
        return k + 1
    return k


def _p_rows(index, p, k, linked):
    comparator, values, _value_start, end = p
    comparators = comparator if isinstance(comparator, list) else [comparator] * len(values)
    rows = []
    for value, sign in zip(values, comparators, strict=True):
        r = Row(a=k, b=end, stat="p_value", value=value, pattern="p_value/" +
                index.starts["P_VALUE"][k][1])
        r.fields["comparator"] = sign
        r.link = linked
        rows.append(r)
    return rows


# --------------------------------------------------------------------------- the scan

def nearest_keyword(index, a, lo, window=12, bracketed=False):
    """Return ``(stat, distance, start, end)`` of the nearest keyword before ``a``.

    A semicolon ends the search, except inside brackets: ``OR 0.04 (95% CI 0.004-0.38;
    P = 0.005) and 0.02`` still reaches ``OR``. A keyword inside brackets that also hold
    a value names that value (``[OR 6.57; P<0.05] and tumor size ≥4 cm``), not this one,
    unless this value is bracketed too (``(HR 1.95, 95% CI ...) versus no history (0.99,
    0.79–1.26)``): then it is the next item of the same kind.
    """
    cover = index.covered["STAT_KEYWORD"]
    texts, numbers = index.texts, index.numbers
    depth = 0
    valued = False  # the brackets being read backwards hold a number
    for k in range(a - 1, max(lo, a - window) - 1, -1):
        t = texts[k]
        if t in _SCOPE_MARKS:
            if t == ";":
                if depth <= 0:
                    return None
            elif t == ")" or t == "]":
                depth += 1
            elif depth:
                depth -= 1
                valued = valued and depth > 0
        elif depth and numbers[k] is not None and k not in index.starts["CI"]:
            valued = True  # (the level of "[95% CI]" is no value)
        hit = cover.get(k)
        if hit is not None and not (depth and valued and not bracketed) \
                and not _letter_label(index, hit):
            return hit[2], a - hit[1], hit[0], hit[1]
    return None


_SCOPE_MARKS = {";", "(", ")", "[", "]"}
_LETTER_LIST = {",", "and", "or", "/", "vs", "vs.", "versus"}


def _letter_label(index, hit):
    """Tell whether a one-letter keyword (``B``, ``K``, ``R``) is a label (``group B``).

    ``models A, B and C``: a letter listed with other capital letters names a thing.
    """
    start, end, _ = hit
    texts = index.texts
    if end - start != 1 or len(texts[start]) != 1:
        return False
    before = texts[start - 1] if start else ""
    if before.lower() in _LABEL_NOUNS or before.lower() in ("arm", "arms", "groups", "models"):
        return True
    n = len(texts)
    return (start >= 2 and before in _LETTER_LIST and len(texts[start - 2]) == 1
            and texts[start - 2].isupper()) or (
        end + 1 < n and texts[end] in _LETTER_LIST and len(texts[end + 1]) == 1
        and texts[end + 1].isupper())


# Words between a subject and its value: "The AUC for the test set was 0.91".
_COPULAS = {"was", "were", "is", "are", "remained", "reached", "being", "be", "been"}


def _subject_keyword(index, a, lo, rows=()):
    """Find the keyword of the subject of ``was``/``were`` right before the value at ``a``.

    ``The sensitivity of reader 1 in the first session was 100%``, ``The average decrease
    in pain from pre-RFA to 1-month follow-up was 26.9``: the statistic is named at the head
    of the clause, further back than the usual window. Words in between may hold timepoints,
    labels (``reader 1``) and bracketed asides, but no other value. Returns
    ``(stat, start, end)`` or None.
    """
    texts, lowers, numbers = index.texts, index.lowers, index.numbers
    if a - 1 < lo or lowers[a - 1] not in _COPULAS:
        return None
    cover = index.covered["STAT_KEYWORD"]
    timepoints, not_stat, ci = index.covered["TIMEPOINT"], index.covered["NOT_STAT"], \
        index.starts["CI"]
    depth = 0
    for k in range(a - 2, max(lo, a - _LOOKBACK) - 1, -1):
        t = texts[k]
        if t in (")", "]"):
            depth += 1
            continue
        if t in ("(", "["):
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        if t in (";", ":") or lowers[k] in ("but", "whereas", "while"):
            return None  # another clause
        hit = cover.get(k)
        if hit is not None and not _letter_label(index, hit):
            return hit[2], hit[0], hit[1]
        if numbers[k] is not None:
            owner = _row_at(rows, k)
            if owner is not None:
                if owner.stat != "sample_size":
                    return None  # another value; "among 1954 participants" may stand between
            elif k not in timepoints and k not in not_stat and k not in ci \
                    and not _label_number(index, k, lo):
                return None
    return None


def _row_at(rows, k):
    """Return the row read so far that covers token ``k`` (rows are in text order)."""
    for r in reversed(rows):
        if r.a <= k:
            return r if k < r.b else None
    return None


def _label_number(index, k, lo):
    """Tell whether the integer at ``k`` names something: ``reader 1``, ``model 2 in``."""
    t = index.texts[k]
    if not t.isdigit() or k - 1 < lo:
        return False
    word = index.texts[k - 1]
    return word.isalpha() and index.lowers[k - 1] not in _MODIFIER_STOP and len(word) > 1 \
        and (k + 1 >= len(index.texts) or index.starts["UNIT"].get(k + 1) is None)


def _value_between(index, start, end):
    """Tell whether a value (no time, label or CI level) lies in tokens ``start:end``."""
    numbers = index.numbers
    for k in range(start, end):
        if numbers[k] is not None and k not in index.covered["TIMEPOINT"] \
                and k not in index.covered["NOT_STAT"] and k not in index.starts["CI"]:
            return True
    return False


def _bracketed(index, a, lo):
    """Tell whether the value at ``a`` opens brackets: ``M. catarrhalis (1.78, 1.29–2.47)``."""
    return a - 1 >= lo and index.texts[a - 1] in ("(", "[")


def _opener(index, a, lo, window=10):
    """Return the bracket left open before token ``a`` within ``window`` tokens, or None."""
    depth = 0
    for k in range(a - 1, max(lo, a - window) - 1, -1):
        t = index.texts[k]
        if t in (")", "]"):
            depth += 1
        elif t in ("(", "["):
            if depth == 0:
                return k
            depth -= 1
    return None


def _owned_keyword(index, kw, lo):
    """Tell whether keyword ``kw`` follows a value that it names (``0.986 accuracy``).

    In ``0.999 AUC, 0.986 accuracy, 0.960 Youden index`` each keyword belongs to the number
    before it, so it cannot also name the number after it.
    """
    k = kw[2] - 1
    return k >= lo and (index.numbers[k] is not None or index.texts[k] == "%")


def _specific_keyword(index, kw, lo):
    """``C-index random effects estimate``: the named statistic before a generic one."""
    cover = index.covered["STAT_KEYWORD"]
    for k in range(kw[2] - 1, max(lo, kw[2] - 6) - 1, -1):
        if index.numbers[k] is not None or index.texts[k] in (",", ";", "(", ")"):
            return kw
        hit = cover.get(k)
        if hit is not None and hit[2] in _ESTIMATES and hit[2] != "coefficient":
            return hit[2], kw[1], hit[0], hit[1]
    return kw


def keyword_after(index, b, hi, window=1):
    """Return the stat of a keyword within ``window`` tokens after ``b``, or None."""
    cover = index.covered["STAT_KEYWORD"]
    for k in range(b, min(hi, b + window)):
        hit = cover.get(k)
        if hit is not None:
            return hit[2]
        if index.numbers[k] is not None or index.texts[k] in (";", "(", ")"):
            return None
    return None


def _noun_after(index, j, hi, max_modifiers=3):
    """Find ``[modifiers] counted-noun`` at ``j``: return ``(unit_text, end)`` or None."""
    texts, lowers = index.texts, index.lowers
    if j < hi and texts[j] == "-":
        return None  # "three-arm trial", "12-lead ECG": a compound adjective, not a count
    k = j
    for _ in range(max_modifiers + 1):
        if k >= hi:
            return None
        hit = index.starts["COUNT_NOUN"].get(k)
        if hit is not None:
            return _span_text(index, j, hit[0]), hit[0]
        if texts[k] in index.abbreviations:
            return _span_text(index, j, k + 1), k + 1
        t = texts[k]
        if lowers[k] in _MODIFIER_STOP or not (t.isalpha() or t == "-" or t.isupper()
                                               or t.replace("\u2010", "").isalpha()):
            return None
        if index.covered["UNIT"].get(k) is not None or unit_days(t) is not None:
            return None
        k += 1
    return None


def scan_sentence(index, lo, hi):
    """Return the :class:`Row` s of the statistics in tokens ``lo:hi`` (one sentence)."""
    texts, numbers = index.texts, index.numbers
    rows = []
    last_main = None
    consumed = set()
    sentence_ci = None
    not_stat = index.covered["NOT_STAT"]
    tps = index.starts["TIMEPOINT"]
    positions = index.positions
    if positions is None:
        # Only tokens where something can start are visited: numbers and rule matches.
        starts = index.starts
        is_num = index.is_num
        found = set(filter(is_num.__getitem__, range(len(is_num))))  # at C speed
        for label in ("P_VALUE", "NOT_STAT", "CI", "TIMEPOINT"):
            found.update(starts[label])
        positions = index.positions = sorted(found)
    cursor = bisect_left(positions, lo)
    i = lo
    while i < hi:
        if cursor < len(positions) and positions[cursor] < i:
            cursor = bisect_left(positions, i, cursor)
        if cursor >= len(positions) or positions[cursor] >= hi:
            break
        i = positions[cursor]
        if i in consumed:
            i += 1
            continue
        if i in index.starts["P_VALUE"]:
            p = read_p_value(index, i, hi)
            if p is not None:
                rows.extend(_p_rows(index, p, i, last_main))
                consumed.update(range(i, p[3]))
                i = p[3]
                continue
        hit = not_stat.get(i)
        if hit is not None:
            i = hit[1]
            continue
        ci = index.starts["CI"].get(i)
        if ci is not None:
            level = numbers[i] / 100 if ci[1] == "ci_level" and numbers[i] else None
            if sentence_ci is None or level is not None:
                sentence_ci = (i, level if level is not None else 0.95)
            i = ci[0]
            continue
        tp = tps.get(i)
        if tp is not None and tp[1] == "tp_number_unit" and not _is_value_context(index, i, lo):
            for k, _v in coordinated_numbers(index, i, lo):
                if k not in consumed and not any(r.a <= k < r.b for r in rows[-3:]):
                    rows[:] = [r for r in rows if not (r.a == k and r.b == k + 1)]
                    consumed.add(k)
        if tp is not None and (tp[1] != "tp_number_unit" or "-" in texts[i:tp[0]]
                               or not (_is_value_context(index, i, lo)
                                       or _value_in_list(index, i, tp[0], rows, lo))):
            if tp[1] == "tp_number_unit" and tp[0] < hi and texts[tp[0]] in _PM:
                pass  # "12.6 months ± 3.1": a value after all
            else:
                i = tp[0]
                continue
        if numbers[i] is None and index.lowers[i] not in NUMBER_WORDS:
            i += 1
            continue
        row, i = _scan_value(index, i, lo, hi, consumed, sentence_ci, rows)
        if row is not None:
            rows.extend(row)
            last_main = next((r for r in row if r.stat != "p_value"), last_main)
            if sentence_ci is None and last_main is not None and "ci_level" in last_main.fields:
                # "HR 1.45, 95% CI 1.13–1.85, compared with 0.96, 0.72–1.27": once named,
                # the sentence's later bare pairs after a value are intervals too
                sentence_ci = (last_main.a, last_main.fields["ci_level"])
    _percent_lists(index, rows, lo, consumed)
    _post_process(index, rows, lo, hi)
    return rows


def _value_in_list(index, i, end, rows, lo):
    """Tell whether a length of time at ``i`` is listed after a mean or median of one.

    ``median, 22 months vs. 14 months``, ``median PFS was 8.2 months in the TACE group and
    5.1 months in the control group``.
    """
    if not rows:
        return False
    prev = next((r for r in reversed(rows) if r.stat != "p_value"), None)
    if prev is None or prev.stat not in ("mean", "median") \
            or prev.fields.get("unit") != index.texts[end - 1] or i - prev.b > 12:
        return False
    if end < len(index.lowers) and index.lowers[end] in _AFTER_TIME:
        return False  # "and 12 months after surgery": a time
    return _joins_list(index, prev, i, lo)


def _names_a_number(word):
    """Tell whether ``word`` before a number makes it a label (``Experiment 1``, ``dose 2``)."""
    return word.isalpha() and (word[0].isupper() or word.lower() in _LABEL_NOUNS)


def _percent_lists(index, rows, lo, consumed):
    """``rates were 78.2, 48.3 and 18.3%``: one ``%`` after a list applies to each number.

    The bare numbers (0 to 100, no row of their own) separated by commas or ``and`` right
    before a percentage become rows of the same statistic.
    """
    texts, numbers = index.texts, index.numbers
    not_stat = index.covered["NOT_STAT"]
    timepoints = index.covered["TIMEPOINT"]
    taken = set()
    for r in rows:
        taken.update(range(r.a, r.b))
    family = _UNIT_RANGE_STATS | {"proportion"}
    added = []
    for r in rows:
        if not r.percent or r.stat not in family or "count" in r.fields:
            continue
        k = r.a - 1
        found = []
        while k > lo:
            gap = 0
            while k > lo and texts[k] in (",", "and") and gap < 2:
                k -= 1
                gap += 1
            v = numbers[k]
            if gap == 0 or v is None or not 0 <= v <= 100 or k in taken or k in consumed \
                    or k in not_stat or k in timepoints or texts[k - 1] in COMPARATORS \
                    or texts[k - 1] in _PM or _names_a_number(texts[k - 1]):
                break
            found.append(k)
            k -= 1
        for k in found:
            extra = Row(a=k, b=k + 1, stat=r.stat, value=numbers[k] / 100,
                        pattern=f"{r.stat}/percent_list", percent=True)
            added.append(extra)
    if added:
        rows.extend(added)
        rows.sort(key=lambda row: row.a)


def _scan_value(index, i, lo, hi, consumed, sentence_ci, rows):
    """Read the statistic whose number starts at ``i``; return ``(rows or None, next i)``."""
    texts, lowers, numbers = index.texts, index.lowers, index.numbers
    number = read_number(index, i, lo)
    words = False
    if number is None:
        written = read_number_words(index, i, hi)
        if written is None:
            return None, i + 1
        v, a, b = written[0], i, written[1]
        words = True
    else:
        v, a, b = number
    row = Row(a=a, b=b, value=v)
    row.integer = float(v).is_integer() and "." not in texts[b - 1] and "\u00b7" not in texts[b - 1]
    fields = row.fields
    shape = "number"
    # A comparator before the number: "< 47.5 mg/ml", "AUCs higher than 0.70".
    if a - 1 >= lo and texts[a - 1] in COMPARATORS:
        if a - 2 >= lo and lowers[a - 2] == "n" and texts[a - 1] == "=":
            row.a = a - 3 if a - 3 >= lo and lowers[a - 3] == "total" else a - 2
            # "n = 5 948 342": thousands separated by spaces.
            while b < hi and len(texts[b]) == 3 and texts[b].isdigit() and v < 1e12 \
                    and index.spaces[b - 1]:
                v = v * 1000 + int(texts[b])
                b += 1
            row.value, row.b = v, b
            fields["unit"] = _nearest_noun_before(index, row.a, lo)
            row.stat, row.pattern = "sample_size", "sample_size/n_equals"
            return [row] if row.integer else None, b
        if texts[a - 1] != "=":
            fields["comparator"] = COMPARATORS[texts[a - 1]]
            row.a = a - 1
    else:
        for words_ in _WORD_COMPARATORS:
            n = len(words_)
            if a - n >= lo and tuple(lowers[a - n:a]) == words_:
                fields["comparator"] = _WORD_COMPARATORS[words_]
                row.a = a - n
                break
    if words:
        noun = _noun_after(index, b, hi)
        if noun is None:
            return None, b
    listed_count = _count_comma_percent(index, row, b, hi) if b < hi and texts[b] == "," \
        else None
    if listed_count is not None:
        consumed.update(range(row.a, listed_count.b))
        return [listed_count], listed_count.b
    j = b
    unit_kind = None
    if j < hi and texts[j] == "%":
        row.percent = True
        shape = "percent"
        j += 1
    elif _on_a_scale(index, row, j, lo, hi):
        j += 2  # "7.1/10": a score with the top of its scale, not a count out of a total
        shape = "scale"
    elif j + 1 < hi and texts[j] == "/" and numbers[j + 1] is not None and row.integer:
        fields["count"], fields["total"] = int(v), int(numbers[j + 1])
        shape = "n_of_N"
        j += 2
    else:
        unit = index.starts["UNIT"].get(j)
        ratio_end = _ratio_word(index, j, hi)
        if ratio_end is not None:
            unit_kind = "ratio"  # "2.16 times (95% CI ...)", "3.5-fold": a ratio
            j = ratio_end
            unit = None
        elif unit is None and j + 2 < hi and texts[j] in _RANGE_DASHES - {"and"} \
                and numbers[j + 1] is not None and j + 2 in index.starts["UNIT"]:
            # "45∼50 mg/ml": two values sharing one unit.
            unit_end = index.starts["UNIT"][j + 2][0]
            unit_text = _span_text(index, j + 2, unit_end)
            summary = _summary_after_range(index, row, v, numbers[j + 1], unit_text, unit_end,
                                           hi)
            if summary is not None:
                consumed.update(range(row.a, summary.b))
                return [summary], summary.b
            out = []
            for value in (v, numbers[j + 1]):
                r = Row(a=row.a, b=unit_end, stat="quantity", value=value,
                        pattern="quantity/range_unit")
                r.fields["unit"] = unit_text
                out.append(r)
            return out, unit_end
        if unit_kind == "ratio":
            pass
        elif row.integer and j < hi and texts[j] in _SEX_LETTERS \
                and _sex_count(index, row, j, lo, hi):
            fields["unit"] = texts[j]  # "(53 M, 36 F; ...)": men and women, not metres
            unit_kind = "count"
            j += 1
        elif unit is not None:
            fields["unit"] = _span_text(index, j, unit[0])
            unit_kind = "measure"
            j = unit[0]
        elif j < hi and unit_days(texts[j]) is not None:
            fields["unit"] = texts[j]
            unit_kind = "time"
            j += 1
        else:
            noun = _noun_after(index, j, hi)
            if noun is None and row.integer:
                noun = _consecutive_noun(index, j, hi) if j < hi \
                    and lowers[j] == "consecutive" else _shared_noun(index, j, hi)
            if noun is None and row.integer and "comparator" not in fields \
                    and (row.a - 1 < lo or texts[row.a - 1] not in ("*", "+", "#", "/")):
                noun = _words_before_percent(index, j, hi)
            if noun is not None and row.a - 2 >= lo and lowers[row.a - 1] == "or" \
                    and numbers[row.a - 2] is not None:
                noun = None  # "with 1 or 2 painful metastases": a choice, not a count
            if noun is not None and words and row.a - 1 >= lo \
                    and lowers[row.a - 1] in ("these", "those"):
                noun = None  # "these two treatments": things named before, not a sample
            if noun is not None and row.integer and v >= 0:
                fields["unit"] = noun[0]
                unit_kind = "count"
                j = noun[1]
    kw = nearest_keyword(index, row.a, lo, bracketed=_bracketed(index, row.a, lo))
    if kw is not None and _owned_keyword(index, kw, lo):
        kw = None  # "0.986 accuracy, 0.960 Youden index": "accuracy" names 0.986
    if kw is not None and kw[0] == "coefficient":
        kw = _specific_keyword(index, kw, lo)
    kw_stat = kw[0] if kw else None
    kw_dist = kw[1] if kw else 99
    bare_odds = kw_stat == "odds"
    if bare_odds:
        kw_stat = "odds_ratio"  # checked below: "the odds ... were 14.0 (95% CI ...)"
    if kw_stat in ("mean", "median") and any(numbers[k] is not None for k in range(kw[3], row.a)):
        kw_dist = 99  # "median age 61 years, and 12 ...": the keyword belongs to another number
    elif kw is not None and row.percent and _value_between(index, kw[3], row.a):
        kw_dist = 99  # "The sensitivity was 85%, and 40% of the lesions": 85% took it
    after = keyword_after(index, j, hi)
    prelim = _preliminary_stat(row, kw_stat, kw_dist)
    listed = None
    if (prelim is None or (row.percent and kw_dist > 6)) and unit_kind != "count":
        subject = _subject_keyword(index, row.a, lo, rows)
        if subject is not None and (subject[0] in ("mean", "median") or (
                subject[0] in _ESTIMATES and _plausible(subject[0], v / 100 if row.percent
                                                        else v))):
            kw_stat, kw_dist = subject[0], 1
        else:
            listed = _list_continuation(index, row, fields.get("unit"), rows, lo) if rows \
                else None
            if listed is not None:
                kw_stat, kw_dist = listed, 1
        prelim = _preliminary_stat(row, kw_stat, kw_dist)
    row.stat = prelim
    text_end, p_rows = read_attachments(index, row, j, hi, consumed, sentence_ci)
    text_end = max(text_end, j)
    if shape == "scale" and "range_low" not in fields:
        text_end = _scale_range(index, row, text_end, hi)
    # "64 (64/74; 86.5%) patients": the counted noun after the brackets.
    if unit_kind is None and ("percent" in fields or "count" in fields or row.percent):
        noun = _noun_after(index, text_end, hi, max_modifiers=0)
        if noun is not None:
            fields["unit"] = noun[0]
            unit_kind = "count"
            text_end = noun[1]
    stat, pattern = _classify(index, row, unit_kind, kw_stat, kw_dist, after, lo, shape)
    if bare_odds and stat == "odds_ratio" and unit_kind != "ratio" and "ci_low" not in fields:
        stat = None  # "odds" alone names a ratio only with its interval or "times"
    if listed is not None and stat == listed:
        pattern = f"{stat}/list_continuation"
    if shape == "scale" and stat not in ("mean", "median"):
        # A score out of 10 or 100 reported alone is an average: a median when so named.
        stat = "median" if kw_stat == "median" else "mean"
        pattern = f"{stat}/scale_score"
    if stat is None and not p_rows and row.integer and not fields and b < hi:
        enumerated = _enumerated_count(index, row, rows, lo) \
            or _elliptic_count(index, row, rows, lo, hi)
        if enumerated is not None:
            return [enumerated], enumerated.b
    if stat is None:
        if p_rows:
            for p in p_rows:
                p.link = None
            return p_rows, max(text_end, p_rows[-1].b)
        return None, max(b, text_end if fields else b)
    row.stat, row.pattern = stat, pattern
    if "ci_low" in fields and not _brackets(fields["ci_low"], row.value, fields["ci_high"]):
        # "0.98 (0.96 − 0.89)": a misprinted interval that does not hold its value
        for key in ("ci_low", "ci_high", "ci_level"):
            fields.pop(key, None)
    if stat == "proportion" and "total" not in fields and "count" in fields:
        _count_of_total(index, row, lo)
        k = text_end
        m = k + 2 if k + 2 < hi and index.lowers[k + 1] == "the" else k + 1
        if "total" not in fields and m < hi and index.lowers[k] == "of" \
                and numbers[m] is not None and float(numbers[m]).is_integer() \
                and fields["count"] <= numbers[m]:
            fields["total"] = int(numbers[m])  # "12 (30%) of 40 patients", "of the 418"
            if m == k + 2:  # "of the 418 patients": a group named before, no new sample
                text_end = _skip_noun(index, m + 1, hi)
    row.b = text_end
    consumed.update(range(row.a, text_end))
    end = max([text_end] + [p.b for p in p_rows])
    return [row] + p_rows, end


def _count_comma_percent(index, row, b, hi):
    """``treated with MWA (139, 58.4%)``: a count and its percentage, in brackets."""
    texts, numbers = index.texts, index.numbers
    a = row.a
    if not (row.integer and a - 1 >= 0 and texts[a - 1] in _OPEN and b + 3 < hi
            and texts[b] == "," and numbers[b + 1] is not None and texts[b + 2] == "%"
            and texts[b + 3] == _OPEN[texts[a - 1]] and 0 <= numbers[b + 1] <= 100
            and row.value >= 0):
        return None
    out = Row(a=a, b=b + 3, stat="proportion", value=numbers[b + 1] / 100,
              pattern="proportion/count_comma_percent", percent=True)
    out.fields["count"] = int(row.value)
    return out


def _words_before_percent(index, j, hi):
    """``at 5 fracture levels (10.4%)``: a plural noun phrase counted, then its share.

    Up to three words, the last one plural, right before ``(x%)``: the count is a count
    of them even when the noun is not in the counted-noun list.
    """
    texts, lowers = index.texts, index.lowers
    k = j
    while k < hi and k - j < 3 and texts[k].isalpha() and lowers[k] not in _MODIFIER_STOP \
            and k not in index.covered["UNIT"] and unit_days(texts[k]) is None:
        k += 1
    last = lowers[k - 1] if k > j else ""
    if k == j or not (last.endswith("s") and not last.endswith("ss")) or k + 3 >= hi:
        return None
    if texts[k] in _OPEN and index.numbers[k + 1] is not None and texts[k + 2] == "%":
        return _span_text(index, j, k), k
    return None


_SEX_LETTERS = {"M": "F", "F": "M"}


def _consecutive_noun(index, j, hi):
    """``189 consecutive acute abdominal CT``, ``102 consecutive percutaneous RFA``.

    After ``consecutive`` a count names its units even when the noun is an abbreviation
    or not in the counted-noun list: the words up to the first capitalised abbreviation
    or plural. Returns ``(unit_text, end)`` or None.
    """
    texts, lowers = index.texts, index.lowers
    if j >= hi or lowers[j] != "consecutive":
        return None
    for k in range(j + 1, min(hi, j + 5)):
        t = texts[k]
        if not t.replace("-", "").isalpha() or lowers[k] in _MODIFIER_STOP \
                or k in index.covered["UNIT"] or unit_days(t) is not None:
            return None
        if (t.isupper() and len(t) > 1) or (t.endswith("s") and not t.endswith(
                ("ss", "ous", "us", "is"))):
            return _span_text(index, j + 1, k + 1), k + 1
    return None


def _sex_count(index, row, j, lo, hi):
    """``53 M, 36 F``: a count of men or women, told by the other letter of the pair."""
    texts, numbers = index.texts, index.numbers
    other = _SEX_LETTERS.get(texts[j]) if j < hi else None
    if other is None:
        return False
    if j + 3 < hi and texts[j + 1] in (",", "/", "and", ";") and numbers[j + 2] is not None \
            and texts[j + 3] == other:
        return True
    return row.a - 3 >= lo and texts[row.a - 1] in (",", "/", "and", ";") \
        and texts[row.a - 2] == other and numbers[row.a - 3] is not None


def _shared_noun(index, j, hi):
    """``50 pneumothorax and 150 non-pneumothorax radiographs``: the noun of the next count.

    A count followed by one or two modifiers, then ``and``/``or`` and another count of a
    counted noun, counts that same noun. Returns ``(unit_text, end)`` or None; ``end`` is
    the end of this count's own modifiers.
    """
    texts, lowers = index.texts, index.lowers
    k = j
    while k < hi and k - j < 2 and (texts[k].isalpha() or "-" in texts[k]) \
            and lowers[k] not in _MODIFIER_STOP and k not in index.covered["UNIT"]:
        k += 1
    if k == j or k + 1 >= hi or lowers[k] not in ("and", "or") \
            or index.numbers[k + 1] is None or not texts[k + 1].isdigit():
        return None
    noun = _noun_after(index, k + 2, hi)
    if noun is None or noun[1] - (k + 2) < 2:
        return None  # "20 cholelithiasis and 20 controls": no head noun to share
    if k - j == 1 and len(texts[j]) > 3 and texts[j].endswith("s") and not texts[j].endswith("ss"):
        return texts[j], k  # "67 PCPs and 1577 patients": a noun of its own
    head = noun[0].split()[-1]
    return f"{_span_text(index, j, k)} {head}", k


def _summary_after_range(index, row, low, high, unit, k, hi):
    """``13–52 mm (mean 30.2 mm)``: a range, then its mean or median in brackets.

    Returns the mean (median) row with the range attached, or None.
    """
    texts, numbers = index.texts, index.numbers
    if not (k + 3 < hi and texts[k] == "(" and low <= high):
        return None
    hit = index.starts["STAT_KEYWORD"].get(k + 1)
    if hit is None or hit[1] not in ("mean", "median"):
        return None
    m = _skip(index, hit[0], hi)
    if m >= hi or numbers[m] is None or not low <= numbers[m] <= high:
        return None
    end = m + 1
    if end < hi and index.starts["UNIT"].get(end) is not None \
            and _span_text(index, end, index.starts["UNIT"][end][0]) == unit:
        end = index.starts["UNIT"][end][0]
    if end >= hi or texts[end] != ")":
        return None
    out = Row(a=row.a, b=end + 1, stat=hit[1], value=numbers[m],
              pattern=f"{hit[1]}/range_then_{hit[1]}")
    out.fields.update(unit=unit, range_low=low, range_high=high)
    return out


def _preliminary_stat(row, kw_stat, kw_dist):
    """Return the statistic a keyword gives before the attachments (they depend on it)."""
    if kw_stat in ("mean", "median") and kw_dist <= 8:
        return kw_stat
    if kw_stat in _ESTIMATES and kw_dist <= 12:
        return kw_stat
    if kw_stat == "proportion" and not row.percent and row.value <= 1 and kw_dist <= 10 \
            and not row.integer:
        return "proportion"
    return None


# What may stand between the items of a list of values: "0.78 for the faculty, 0.59 for
# the residents, and 0.52", "22 months vs. 14 months", "from 0.68 to 0.77".
_LIST_SEPARATORS = {",", "and", "vs", "vs.", "versus", "or", "to", "compared", "with"}
_LIST_HEADS = {"for", "in", "among", "amongst", "at", "after", "on", "with"}
_ITEM_ENDS = {",", ";", ".", ")", "]", "(", "[", "for", "in", "and", "vs", "vs.", "versus",
              "respectively", "with", "at", "on", "among", "after", "compared", "or"}
# A coefficient is the fallback of any value with a CI: too weak a name to pass on.
_LIST_STATS = (_ESTIMATES | {"mean", "median"}) - {"coefficient"}


def _list_continuation(index, row, unit, rows, lo):
    """Return the stat of the value before when this one continues its list, else None.

    ``median, 22 months vs. 14 months``, ``OR of 0.04 (95% CI ...) and 0.02 (95% CI ...)``,
    ``AUCs were 0.78 for A, 0.59 for B and 0.52 for C``: a value with no keyword of its
    own, right after a value of a named statistic, separated only by a list word (and a
    ``for ...`` phrase naming the group of the value before), is the same statistic. Both
    must have the same shape: percentage or not, the same unit, no comparator.
    """
    prev = next((r for r in reversed(rows) if r.stat != "p_value"), None)
    if prev is None or prev.stat not in _LIST_STATS or prev.b > row.a or row.a - prev.b > 12:
        return None
    if prev.percent != row.percent or prev.fields.get("unit") != unit \
            or "comparator" in row.fields or "comparator" in prev.fields:
        return None
    value = row.value / 100 if row.percent else row.value
    if prev.stat not in ("mean", "median") and not _plausible(prev.stat, value):
        return None
    after = row.b + 1 if row.percent else row.b
    if row.percent and after < len(index.lowers) and index.lowers[after] not in _ITEM_ENDS:
        return None  # "sensitivity was 85%, and 40% of the lesions were ...": a share of things
    if prev.integer != row.integer and prev.stat not in ("mean", "median"):
        return None
    if not _joins_list(index, prev, row.a, lo):
        return None
    if _in_time_list(index, row.b):
        return None  # "at 1, 3, and 5 minutes"
    texts = index.texts
    if row.b + 1 < len(texts) and texts[row.b] in _RANGE_DASHES - {"and", "to"} \
            and index.numbers[row.b + 1] is not None:
        return None  # "0.96, 0.72–1.27": the low end of an interval
    return prev.stat


def _joins_list(index, prev, a, lo):
    """Tell whether only a list word (after a ``for ...`` group) joins row ``prev`` to ``a``."""
    gap = _depth_zero(index, prev, a)
    if gap is None:
        return False
    n = len(gap)
    while n and gap[n - 1] in _LIST_SEPARATORS:
        n -= 1
    if n == len(gap) or len(gap) - n > 3:
        return False  # no list word right before the value
    if "to" in gap[n:] and not (prev.a - 1 >= lo and index.lowers[prev.a - 1] == "from"):
        return False  # "to" joins "from 0.68 to 0.77", not the ends of an interval
    head = gap[:n]
    return not head or (head[0] in _LIST_HEADS and len(head) <= 6
                        and all(t.isalpha() or t == "-" or t.isdigit() for t in head))


def _in_time_list(index, k):
    """Tell whether the number ending at ``k`` shares a time or ``%`` given at the list end.

    ``at 1, 3, and 5 minutes``, ``weight loss of 2.5, 10.9, and 12.1%``.
    """
    lowers, numbers = index.lowers, index.numbers
    timepoints = index.starts["TIMEPOINT"]
    for m in range(k, min(len(lowers), k + 8)):
        if lowers[m] == "%":
            return m > k and numbers[m - 1] is not None
        if lowers[m] not in (",", "and", "or") and numbers[m] is None:
            return False
        hit = timepoints.get(m)
        if hit is not None and hit[1] == "tp_number_unit":
            return True
    return False


def _depth_zero(index, prev, a):
    """Return the tokens between row ``prev`` and ``a`` outside brackets (None: unclear).

    The row may end inside its own brackets (``0.04 (95% CI: 0.004, 0.38; P = 0.005)``).
    """
    texts, lowers = index.texts, index.lowers
    depth = 0
    for k in range(prev.a, prev.b):
        if texts[k] in ("(", "["):
            depth += 1
        elif texts[k] in (")", "]"):
            depth = max(0, depth - 1)
    out = []
    for k in range(prev.b, a):
        t = texts[k]
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            if not depth:
                return None
            depth -= 1
        elif not depth:
            if index.numbers[k] is not None and k not in index.covered["TIMEPOINT"] \
                    and k not in index.covered["NOT_STAT"]:
                return None  # another value; "at 3 months", "for reader 1" may stand between
            out.append(lowers[k])
    return out if not depth else None


def _brackets(low, value, high):
    """Tell whether ``low <= value <= high`` up to rounding of the printed digits."""
    slack = 1e-9 + 0.0005 * max(1.0, abs(value))
    return low - slack <= value <= high + slack


def _ratio_word(index, j, hi):
    """Return the end of ``times``/``-fold`` that make the number before a ratio, or None.

    ``3 times a day`` is a frequency, not a ratio.
    """
    lowers = index.lowers
    if j < hi and lowers[j] == "fold":
        return j + 1
    if j + 1 < hi and lowers[j] == "-" and lowers[j + 1] == "fold":
        return j + 2
    if j < hi and lowers[j] == "times" and (j + 1 >= hi or lowers[j + 1] not in (
            "a", "per", "daily", "weekly", "each", "every", "/")):
        return j + 1
    return None


def _on_a_scale(index, row, j, lo, hi):
    """Tell whether ``/10`` or ``/100`` at ``j`` gives the scale of a mean or median score.

    ``7.1/10`` (a decimal cannot count anything), or ``mean score 7/10``.
    """
    texts = index.texts
    if not (j + 1 < hi and texts[j] == "/" and texts[j + 1] in ("10", "100")
            and 0 <= row.value <= index.numbers[j + 1]):
        return False
    if j + 2 < hi and (texts[j + 2] in ("/", "%") or (
            texts[j + 2][:1].isalpha() and index.lowers[j + 2] not in _AFTER_SCORE)):
        return False  # "3/10/2015", "7/10 (70%)", "36.6/100 person-years", "7/10 lesions"
    if not row.integer:
        return True
    kw = nearest_keyword(index, row.a, lo)
    return kw is not None and kw[0] in ("mean", "median") and kw[1] <= 8


def _scale_range(index, row, k, hi):
    """``7.1/10 with a range of 4/10 to 10/10``: the range of a score, on the same scale."""
    texts, lowers, numbers = index.texts, index.lowers, index.numbers
    scale = texts[row.b + 1]
    start = k
    while k < hi and k - start < 5 and lowers[k] in ("with", "a", "(", "[", "range", "of", ",",
                                                     ":"):
        k += 1
    if "range" not in lowers[start:k]:
        return start
    m = k
    if m + 6 < hi and numbers[m] is not None and texts[m + 1] == "/" \
            and texts[m + 2] == scale and texts[m + 3] in _RANGE_DASHES - {"and"} \
            and numbers[m + 4] is not None and texts[m + 5] == "/" and texts[m + 6] == scale \
            and numbers[m] <= numbers[m + 4]:
        end = m + 7
        if texts[start] in _OPEN:  # "(range, 3/10-9/10)", "(range 3/10-9/10; p = 0.01)"
            if end >= hi or texts[end] not in (_OPEN[texts[start]], ";", ","):
                return start
            end += texts[end] == _OPEN[texts[start]]
        row.fields["range_low"], row.fields["range_high"] = numbers[m], numbers[m + 4]
        return end
    return start


def _count_of_total(index, row, lo):
    """``3 of 55 (5%) patients``, ``134 of the 418 patients (32%)``: count out of a total."""
    lowers = index.lowers
    k = row.a - 1
    if k >= lo and lowers[k] == "the":
        k -= 1
    if k < lo or lowers[k] != "of":
        return
    m = k - 1
    if m >= lo and lowers[m] == "out":
        m -= 1
    if m < lo:
        return
    count = index.numbers[m]
    if count is None:
        count = words_to_number([index.texts[m]])
    total = row.fields["count"]
    if count is None or not float(count).is_integer() or not 0 <= count <= total:
        return
    row.fields["count"], row.fields["total"] = int(count), int(total)
    row.a = m
    row.pattern = "proportion/count_of_total"


def _enumerated_count(index, row, rows, lo):
    """Read ``2 major`` in ``9 complications (out of 105 SM; 2 major and 7 minor)``.

    A number followed by a word, inside brackets that open right after a count of some
    noun, counts a kind of that noun.
    """
    texts = index.texts
    opener = _opener(index, row.a, lo, window=_LOOKBACK)
    if opener is None:
        return None
    owner = next((r for r in reversed(rows[-8:]) if r.stat in ("sample_size", "proportion")
                  and r.fields.get("unit") and (r.a < opener <= r.b + 1 or (
                      r.stat == "sample_size" and _said_of(index, r, opener)
                      and _bracket_sum(index, opener) == r.value))), None)
    word = texts[row.b]
    if owner is None or not word.isalpha() or index.lowers[row.b] in _MODIFIER_STOP:
        return None
    noun = owner.fields["unit"].split()[-1]
    out = Row(a=row.a, b=row.b + 1, stat="sample_size", value=row.value,
              pattern="sample_size/enumerated")
    out.fields["unit"] = f"{word} {noun}"
    return out


def _said_of(index, owner, opener):
    """``1166 MRIs were included (``: a few words about the count, then the brackets."""
    gap = index.texts[owner.b:opener]
    return len(gap) <= 4 and all(t.isalpha() for t in gap)


def _bracket_sum(index, opener):
    """Add up the counts listed in the brackets at ``opener``.

    ``(77 research, 1043 clinical, and 46 both)`` gives 1166; None when the brackets hold
    anything but counts of words.
    """
    texts, numbers = index.texts, index.numbers
    close = _matching(index, opener, len(texts), texts[opener], _OPEN[texts[opener]])
    if close is None:
        return None
    total = 0
    for k in range(opener + 1, close):
        if numbers[k] is None:
            continue
        if not texts[k].isdigit() or not texts[k + 1].isalpha() \
                or k + 1 in index.covered["UNIT"]:
            return None
        total += numbers[k]
    return total


_VERBS = {"were", "was", "had", "have", "has", "received", "underwent", "showed", "developed",
          "died", "completed", "achieved", "experienced", "required", "met", "presented",
          "remained", "reported", "survived", "did", "obtained", "reached", "responded"}


def _is_verb(index, k):
    """Tell whether token ``k`` is a verb after a count (``82 were``, ``42 received``)."""
    lower = index.lowers[k]
    return lower in _VERBS or (len(lower) > 4 and lower.endswith("ed")
                               and k not in index.covered["COUNT_NOUN"])


def _elliptic_count(index, row, rows, lo, hi):
    """Read a count whose noun is said before it, as part of that sample size.

    ``Of 105 patients with VCFs, 82 were eligible``, ``Of the 823 correlated diagnoses, 431
    were true positive, 14 false positive, 66 false negative and 312 true negative`` (the
    counts add up to the total), ``40 patients underwent PV and 42 received OMT``, ``111
    patients in the RFA group and 92 in the resection group`` (the same words follow).
    Returns a ``sample_size`` row or None.
    """
    texts, lowers = index.texts, index.lowers
    if row.b >= hi or not texts[row.b].isalpha():
        return None
    owners = [r for r in rows[-12:] if r.stat == "sample_size" and r.fields.get("unit")
              and r.integer and r.b <= row.a]
    if not owners:
        return None
    pattern = None
    of = next((r for r in reversed(owners) if _of_clause(index, r, lo)), None)
    if of is not None and of.value >= row.value and row.a - of.b <= _LOOKBACK:
        if _list_sum(index, of.b, hi) == of.value:
            owner, pattern = of, "sample_size/of_total_list"
        elif texts[row.a - 1] == "," and _is_verb(index, row.b) \
                and all(index.numbers[k] is None for k in range(of.b, row.a)):
            owner, pattern = of, "sample_size/of_total"
    last = owners[-1]
    if pattern is None and last is rows[-1] and lowers[row.a - 1] in ("and", ",") \
            and last.b < hi:
        gap = texts[last.b:row.a - 1]
        if len(gap) <= 8 and all(t.isalpha() or t == "-" for t in gap) and (
                lowers[row.b] == lowers[last.b]
                or (_is_verb(index, row.b) and _is_verb(index, last.b))):
            owner, pattern = last, "sample_size/parallel"
    if pattern is None:
        return None
    out = Row(a=row.a, b=row.b, stat="sample_size", value=row.value, pattern=pattern)
    out.fields["unit"] = owner.fields["unit"].split()[-1]
    return out


def _of_clause(index, owner, lo):
    """Tell whether the count opens its clause with ``Of`` (``Of the 823 diagnoses, ...``)."""
    k = owner.a - 1
    if k >= lo and index.lowers[k] == "the":
        k -= 1
    return k >= lo and index.lowers[k] == "of" and (
        k == lo or index.texts[k - 1] in (":", ";", ",", "(") or index.texts[k] == "Of")


def _list_sum(index, k, hi):
    """Add up the counts that open the items of a list from ``k`` to the clause end."""
    cache = index.list_sums  # once per list, not once per item
    if k not in cache:
        cache[k] = _add_list(index, k, hi)
    return cache[k]


def _add_list(index, k, hi):
    texts, numbers = index.texts, index.numbers
    total = 0
    depth = 0
    for m in range(k, min(hi, k + 60)):
        t = texts[m]
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
        elif t in (";", ":", "."):
            return total
        elif numbers[m] is not None and not depth:
            if not t.isdigit() or m + 1 >= hi or not texts[m + 1].isalpha():
                return None
            total += numbers[m]
    return total if k + 60 >= hi else None  # no clause lists counts over more words


def _nearest_noun_before(index, a, lo):
    for k in range(a - 1, max(lo, a - _LOOKBACK) - 1, -1):
        hit = index.covered["COUNT_NOUN"].get(k)
        if hit is not None:
            return hit[2]
    return None


def _classify(index, row, unit_kind, kw_stat, kw_dist, after, lo, shape):
    """Decide the ``stat`` of an assembled value; return ``(stat, pattern_id)``."""
    f = row.fields
    v = row.value
    texts, lowers = index.texts, index.lowers
    if row.percent and not 0 <= v <= 100:
        # "rose by 1,267 %", "a change of −2.00 %": a relative change, no proportion.
        f["unit"] = "%"
        return "quantity", "quantity/percent_change"
    if row.percent:
        row.value = v / 100
        for key in ("ci_low", "ci_high"):
            if key in f:
                f[key] = f[key] / 100
        if kw_stat in _DIAGNOSTIC | {"i2"} and kw_dist <= 6:
            return kw_stat, f"{kw_stat}/percent_keyword"
        if after in _DIAGNOSTIC or after == "i2":
            return after, f"{after}/percent_keyword_after"
        if "count" not in f and "percent" in f:
            f.pop("percent")
        return "proportion", "proportion/percent"
    if shape == "n_of_N":
        if not 0 <= f["count"] <= f["total"] or f["total"] == 0:
            return None, ""  # "2/3 grade", "7/3": no count out of a total
        if "comparator" in f or (f["total"] in (5, 10, 100) and "percent" not in f and any(
                k in index.covered["OUTCOME"] for k in range(max(lo, row.a - 8), row.a))):
            return None, ""  # "pain ≥ 4/10", "VAS 7/10": a score on a scale, not a count
        pct = f.pop("percent", None)
        if pct is not None and not 0 <= pct <= 1:
            pct = None  # "4/42 (1011%)": a misprinted percentage; the counts stand
        row.value = pct if pct is not None else f["count"] / f["total"]
        return "proportion", "proportion/n_of_N"
    if "percent" in f and (not row.integer or unit_kind == "measure" or v < 0
                           or not 0 <= f["percent"] <= 1):
        f.pop("percent")  # "€44.18 (−37.6%)", "192.1 Nm (335.7%)": a change, not n (x%)
    if "percent" in f or ("count" in f and "total" in f and unit_kind in ("count", None)):
        pct = f.pop("percent", None)
        if "count" not in f:
            f["count"] = int(v)
        f["count"] = int(f["count"])
        f["total"] = int(f["total"]) if "total" in f else None
        if f["total"] is None:
            f.pop("total")
        if "total" in f and not 0 <= f["count"] <= f["total"]:
            return None, ""
        if pct is None and f.get("total"):
            pct = f["count"] / f["total"]
        if pct is None:
            return None, ""
        row.value = pct
        return "proportion", "proportion/count_brackets"
    mean_word = kw_stat in ("mean", "median") and kw_dist <= 2
    if unit_kind == "count" and row.integer and not mean_word:
        return "sample_size", "sample_size/count_noun"
    if kw_stat in ("mean", "median") and kw_dist <= 8:
        return kw_stat, f"{kw_stat}/keyword"
    if after in _UNIT_RANGE_STATS and 0 <= v <= 1 and unit_kind is None:
        return after, f"{after}/keyword_after"  # "0.999 AUC, 0.986 accuracy"
    if unit_kind != "ratio" and row.a - 1 >= lo and lowers[row.a - 1] == "by" and any(
            lowers[k] in _COMPARATIVES for k in range(max(lo, row.a - _LOOKBACK), row.a)):
        return "mean_difference", "mean_difference/by_comparative"
    has_spread = "sd" in f or "se" in f
    has_ci = "ci_low" in f
    if kw_stat in _UNITLESS and unit_kind == "measure":
        kw_stat = None  # "tumor size ≥4 cm (OR 0.18)": a ratio or an AUC has no unit
    if kw_stat == "coefficient" and row.integer and _counts_words(index, row.b):
        kw_stat = None  # "estimate the effects of 11 clinically relevant factors"
    if kw_stat in _ESTIMATES:
        if _plausible(kw_stat, v) and (has_ci or has_spread or kw_dist <= 12):
            return kw_stat, f"{kw_stat}/keyword"
    if kw_stat == "proportion" and 0 <= v <= 1 and not row.integer and (has_ci or kw_dist <= 10):
        return "proportion", "proportion/keyword_decimal"
    if has_spread and not row.integer or has_spread:
        if kw_stat == "mean_difference" and kw_dist <= 12:
            return "mean_difference", "mean_difference/keyword"
        return "mean", "mean/spread"
    if unit_kind == "time" and (has_ci or has_spread or "iqr_low" in f or "range_low" in f):
        # "The median PFS was 5.9 months (95% CI ...) in A and 7.0 months (95% CI ...) in B"
        wide = nearest_keyword(index, row.a, lo, window=_LOOKBACK,
                               bracketed=_bracketed(index, row.a, lo))
        if wide is not None and wide[0] in ("mean", "median"):
            return wide[0], f"{wide[0]}/keyword_time"
    if "iqr_low" in f:
        return "median", "median/iqr"  # "8 (IQR 7-9)": an interquartile range goes with a median
    if has_ci and any(lowers[k] in ("difference", "differences", "change")
                      for k in range(max(lo, row.a - 3), row.a)):
        return "mean_difference", "mean_difference/difference_ci"
    if has_ci:
        # An estimate with its CI: the statistic named anywhere before it in the sentence.
        wide = nearest_keyword(index, row.a, lo, window=_LOOKBACK,
                               bracketed=_bracketed(index, row.a, lo))
        if wide is not None and wide[0] == "odds":
            wide = ("odds_ratio",) + wide[1:]  # "the odds ... were 8.0 (95% CI ...)"
        if wide is not None and wide[0] in _ESTIMATES and _plausible(wide[0], v):
            return wide[0], f"{wide[0]}/keyword_ci"
        return "coefficient", "coefficient/ci"
    if unit_kind == "measure":
        return "quantity", "quantity/unit"
    if "comparator" in f and row.a < len(texts) and texts[row.a] in COMPARATORS:
        return "quantity", "quantity/threshold"
    return None, ""


_UNITLESS = _UNIT_RANGE_STATS | {"odds_ratio", "risk_ratio", "hazard_ratio", "i2", "correlation"}


def _counts_words(index, k):
    """Tell whether the word at ``k`` starts what a whole number counts (``11 clinical``)."""
    if k >= len(index.texts):
        return False
    lower = index.lowers[k]
    return index.texts[k].isalpha() and lower.islower() and lower not in _MODIFIER_STOP \
        and lower not in _AFTER_SCORE and k not in index.covered["STAT_KEYWORD"] \
        and k not in index.covered["UNIT"] and unit_days(lower) is None


def _plausible(stat, v):
    if stat in _UNIT_RANGE_STATS:
        return 0 <= v <= 1
    if stat == "correlation":
        return -1 <= v <= 1
    if stat in ("odds_ratio", "risk_ratio", "hazard_ratio"):
        return v > 0
    if stat == "i2":
        return 0 <= v <= 100
    return True


# --------------------------------------------------------------------------- context

def _post_process(index, rows, lo, hi):
    """Attach totals, timepoints, outcomes and groups to the rows of one sentence."""
    if not rows:
        return
    main = [r for r in rows if r.stat != "p_value"]
    # The n of a mean: the first count of the sentence before it.
    counts = []
    for r in main:
        if r.stat == "sample_size":
            counts.append((r.a, int(r.value)))
        elif r.stat == "proportion" and "count" in r.fields and r.fields.get("unit"):
            counts.append((r.a, int(r.fields["count"])))
    sexes = _sex_pair_total(index, main) if len(counts) > 1 else None
    for r in main:
        if r.stat == "mean" and "total" not in r.fields and counts and counts[0][0] < r.a:
            r.fields["total"] = sexes[1] if sexes is not None and sexes[0] < r.a \
                else counts[0][1]
    _totals_by_percent(index, main)
    # "2.84% for Chinese men (total n = 1267": the total of a bare percentage.
    for k, r in enumerate(main):
        if r.stat == "sample_size" and index.lowers[r.a] == "total" and k:
            prev = main[k - 1]
            if prev.stat == "proportion" and "total" not in prev.fields and r.a - prev.b <= 8:
                prev.fields["total"] = int(r.value)
    # A median without unit next to a mean with one: "(mean 14.7 ± 19.6 months; median 6)".
    for k, r in enumerate(main):
        if r.stat in ("median", "mean") and "unit" not in r.fields and k:
            prev = main[k - 1]
            if prev.stat in ("mean", "median") and prev.fields.get("unit") and r.a - prev.b <= 4:
                r.fields["unit"] = prev.fields["unit"]
    runs = _runs(index, main)
    # A list of values after a list of keywords of the same length reads in order, with or
    # without "respectively" ("sensitivity and specificity were 79% and 100%").
    _distribute_keywords(index, runs, lo, hi)
    if all(len(run) == 1 for run in runs):
        rows[:] = _shared_value(index, rows, main, lo)
        main = [r for r in rows if r.stat != "p_value"]
        runs = _runs(index, main)
    _assign_timepoints(index, rows, main, runs, lo, hi)
    _assign_outcomes(index, main, lo, hi, runs)
    _assign_groups(index, main, runs, lo, hi)
    for r in rows:
        if r.stat == "p_value" and r.link is not None:
            for key in ("outcome", "timepoint", "timepoint_days", "group"):
                if key in r.link.fields:
                    r.fields[key] = r.link.fields[key]
    _p_value_context(index, rows, lo)


_SEX_PAIRS = {frozenset(p) for p in (("men", "women"), ("males", "females"), ("m", "f"),
                                     ("boys", "girls"), ("male", "female"))}


def _sex_pair_total(index, main):
    """``(14 men and 4 women; mean age 60.2 years)``: the n of a mean is both together.

    Returns ``(start, total)`` when the first counts of the sentence are men and women
    (in either order), else None.
    """
    counts = [r for r in main if r.stat == "sample_size"][:2]
    if len(counts) < 2 or counts[0] is not main[0] and main.index(counts[0]) > 0:
        return None
    first, second = counts
    units = frozenset(str(r.fields.get("unit", "")).lower() for r in counts)
    gap = index.lowers[first.b:second.a]
    if units not in _SEX_PAIRS or len(gap) > 2 or not all(t in (",", "and", "/") for t in gap):
        return None
    return first.a, int(first.value + second.value)


def _doc_counts(index):
    """Sample sizes stated so far in the document (kept on the index, sentence after sentence)."""
    return index.seen_counts


def _totals_by_percent(index, main):
    """``635 (9.33%) men``: the total a count and its percentage were taken from.

    A count with a percentage but no total gets the nearest sample size stated before it
    (in this sentence, else earlier in the abstract) of which it is that percentage, to the
    printed precision: 635 of 6803 is 9.33%. Then the sentence's counts are remembered.
    """
    seen = _doc_counts(index)
    here = []
    open_counts = []
    for r in main:
        f = r.fields
        if r.stat == "sample_size":
            if r.integer:
                here.append(int(r.value))
        elif "total" in f:
            if f["total"]:
                here.append(int(f["total"]))
        elif r.stat == "proportion" and "count" in f and 0 < r.value < 1:
            open_counts.append(r)
    for r in open_counts:
        f = r.fields
        digits = _decimals(r.value * 100)
        for n in here[:-21:-1] + seen[:-21:-1]:  # the nearest twenty of each
            if n > f["count"] and abs(f["count"] / n * 100 - r.value * 100) \
                    <= 0.5 * 10 ** -digits + 1e-9:
                f["total"] = n
                break
    seen.extend(here)


def _decimals(x):
    """Decimal places of ``x`` as printed (``9.33`` -> 2, ``17.0`` -> 0)."""
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _shared_value(index, rows, main, lo):
    """``sensitivity and specificity were 100%``: one value stated for a list of statistics.

    When the only fraction of a sentence (proportion or diagnostic statistic) follows a list
    of diagnostic keywords, it gets one row for each keyword of the list.
    """
    fractions = [r for r in main if r.stat in _UNIT_RANGE_STATS | {"proportion"}]
    if len(fractions) != 1 or "count" in fractions[0].fields or "total" in fractions[0].fields:
        return rows
    row = fractions[0]
    lists = [kl for kl in _keyword_lists(index, lo, row.a)
             if all(stat in _UNIT_RANGE_STATS for stat in kl)
             and (row.stat in kl or row.stat == "proportion")]
    if len(lists) != 1 or not 0 <= row.value <= 1:
        return rows
    out = []
    for r in rows:
        if r is not row:
            out.append(r)
            continue
        for stat in dict.fromkeys(lists[0]):
            twin = Row(a=r.a, b=r.b, stat=stat, value=r.value, fields=dict(r.fields),
                       pattern=f"{stat}/shared_value", link=r.link, percent=r.percent,
                       integer=r.integer)
            out.append(r if stat == r.stat else twin)
            if stat == r.stat:
                r.pattern = f"{stat}/shared_value"
    return out


def _keyword_lists(index, lo, hi):
    """Find lists of statistic keywords: ``sensitivity, specificity and accuracy``."""
    lists, current, last_end = [], [], None
    cover = index.starts["STAT_KEYWORD"]
    starts = index.keyword_starts  # sorted once a document
    if starts is None:
        starts = index.keyword_starts = sorted(cover)
    for k in starts[bisect_left(starts, lo):bisect_left(starts, hi)]:
        if last_end is not None and k < last_end:
            continue  # inside the keyword before
        hit = cover[k]
        gap = index.lowers[last_end:k] if last_end is not None else []
        if current and all(t in (",", "and", "or", "/", "the") for t in gap) and len(gap) <= 3:
            current.append(hit[1])
        else:
            if len(current) >= 2:
                lists.append(current)
            current = [hit[1]]
        last_end = hit[0]
    if len(current) >= 2:
        lists.append(current)
    return lists


def _distribute_keywords(index, runs, lo, hi):
    """``sensitivity, specificity and accuracy were 87%, 96% and 90%, respectively``."""
    lists = [kl for kl in _keyword_lists(index, lo, hi)
             if all(stat in _UNIT_RANGE_STATS | {"proportion"} for stat in kl)]
    if not lists:
        return
    kind = "keyword_list_respectively" if "respectively" in index.lowers[lo:hi] \
        else "keyword_list"
    for run in runs:
        for stats in lists:
            if len(stats) == len(run) and all(r.stat in _UNIT_RANGE_STATS | {"proportion"}
                                              and 0 <= r.value <= 1 for r in run):
                for r, stat in zip(run, stats, strict=True):
                    r.stat = stat
                    r.pattern = f"{stat}/{kind}"
                break


# Context assignment (outcome, group, timepoint) lives in its own module, imported last since
# it builds on the helpers above; _post_process calls it through these names.
from evidextract.extract._context import (  # noqa: E402
    _assign_groups,
    _assign_outcomes,
    _assign_timepoints,
    _p_value_context,
    _runs,
)
