"""Context of the statistics of one sentence: the outcome, group and timepoint of each row.

:func:`evidextract.extract._grammar.scan_sentence` assembles the rows of a sentence; the
functions here then say what each row is about, from the words around it:

- the **outcome** (the measured quantity or instrument) as written: the subject of a linking
  verb (``The mean tumor size was 5.0 cm``), the words before a bracketed value
  (``Breast (18.6%)``), the statistic's own keyword (``sensitivity``), an instrument named by
  the rule patterns (``NRS``), or what a comparison compares (``higher accuracy than``);
- the **group** (arm, subpopulation, data split or compared pair): a phrase after the values
  (``0.989 in the training set``), the noun phrase before their brackets (``MR (45.9 cm3)``),
  an opening phrase (``For older Chinese men, ...``), arms compared (``in the duloxetine phase
  compared with placebo (4.1 vs. 6.0``), a counted subpopulation (``751 statin users``);
  a p-value testing two groups gets both (``RFA vs MWA``);
- the **timepoint** of :func:`~evidextract.extract._grammar.find_timepoints` nearest each row.

Every scan looks a bounded number of tokens around a row, so the work stays linear in the
length of a sentence. Word lists are data in ``patterns/context_words.jsonl``.
"""

from __future__ import annotations

from bisect import bisect_left

from evidextract.extract._grammar import (
    _DIAGNOSTIC,
    _DURATION_NOUNS,
    _GROUP_PREPOSITIONS,
    _GROUP_STOP,
    _LOOKBACK,
    _MODIFIER_STOP,
    _RANGE_DASHES,
    _RUN_GAP,
    _UNIT_RANGE_STATS,
    COMPARATORS,
    _opener,
    _span_text,
    find_timepoints,
    nearest_keyword,
)
from evidextract.extract._numbers import NUMBER_WORDS, ORDINAL_WORDS, unit_days


def _runs(index, main):
    """Group rows written as a list (``87% and 71%``, ``83.6% vs. 73.5%``)."""
    runs = []
    for r in main:
        if runs:
            last = runs[-1][-1]
            gap = _outside_brackets(index.lowers[last.b:r.a])
            family = _UNIT_RANGE_STATS | {"proportion"}
            same = last.stat == r.stat or (last.stat in family and r.stat in family)
            if same and all(t in _RUN_GAP for t in gap) and len(gap) <= 3:
                runs[-1].append(r)
                continue
        runs.append([r])
    return runs


def _outside_brackets(tokens):
    """Return the tokens not inside brackets: ``5.1 (P < .0001), 4.0`` is still a list."""
    out, depth = [], 0
    for t in tokens:
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]") and depth:
            depth -= 1
        elif not depth:
            out.append(t)
    return out if not depth else tokens


def _assign_timepoints(index, rows, main, runs, lo, hi):
    value_tokens = set()
    for r in main:
        value_tokens.update(range(r.a, r.b))
    tps = find_timepoints(index, lo, hi, value_tokens)
    if not tps:
        return
    respectively = "respectively" in index.lowers[lo:hi]
    done = set()
    groups = _coordinated(tps)
    for run in runs:
        for group in groups:
            # Lists of equal length pair up: with "respectively", or when the times come
            # first ("at 1, 3, and 5 years were 95%, 80%, and 65%").
            if len(group) == len(run) >= 2 and (
                    respectively or group[-1].b <= run[0].a and _pairs_up(index, group, run)):
                for r, tp in zip(run, group, strict=True):
                    _set_tp(r, tp)
                    done.add(id(r))
                break
    tp_starts = [tp.a for tp in tps]
    tp_ends = {tp.b: tp for tp in tps}
    for k, r in enumerate(main):
        if id(r) in done:
            continue
        # "after 1 week (WMD -1.77, 95% CI ...)": the time the brackets are opened after.
        opener = _opener(index, r.a, lo, window=4)
        if opener is not None and opener in tp_ends:
            _set_tp(r, tp_ends[opener])
            continue
        nxt = main[k + 1].a if k + 1 < len(main) else hi
        before = bisect_left(tp_starts, r.a) - 1
        while before >= 0 and tps[before].b > r.a:
            before -= 1
        if before >= 0 and r.a - tps[before].b > _LOOKBACK:
            before = -1
        m = bisect_left(tp_starts, r.b)
        if m < len(tps) and _compared_time(index, r, tps[m]):
            m = len(tps)  # "(median, 22 months vs. 14 months)": a value compared, no time
        near = m < len(tps) and tps[m].a < nxt and tps[m].a - _after_brackets(index, r, hi) <= 4
        if m < len(tps) and tps[m].a < nxt and (before < 0 and r.stat != "sample_size"
                                                 or near):
            _set_tp(r, tps[m])
            continue
        # "to 1-month follow-up is 26.3 (...), and the increase ... to 3-month follow-up is":
        # a time far after the value belongs to the next clause. A count takes a time only
        # right after it ("in 68 lesions after 1y-follow up").
        if before >= 0 and r.stat != "sample_size":
            _set_tp(r, tps[before])


def _compared_time(index, r, tp):
    """Tell whether a time right after a value of time is a second value compared with it."""
    unit = r.fields.get("unit")
    if not unit or unit_days(unit.split()[-1]) is None:
        return False
    gap = index.lowers[r.b:tp.a]
    return bool(gap) and all(t in _VERSUS or t in ("and", "or", ",") for t in gap)


_LIST_JOINS = {",", "and", "vs", "vs.", "versus"}


def _pairs_up(index, group, run):
    """Tell whether listed times name listed values one by one.

    Lists pair up (``at 1, 3, and 5 years ... 95%, 80%, and 65%``), and so does a span
    with a span (``from baseline to the last follow-up [6.7 ± 2.3 to 1.8 ± 2.3]``); a span
    of time with other values does not (``between 18 and 70 years ... 35-60 kg/m2``).
    """
    gaps = [[t for t in index.lowers[before.b:after.a] if t != "the"]
            for before, after in zip(group, group[1:], strict=False)]
    opener = index.lowers[group[0].a - 1] if group[0].a else ""
    if opener == "from":
        return len(run) == 2 and gaps == [["to"]] \
            and "to" in _outside_brackets(index.lowers[run[0].b:run[1].a])
    return opener != "between" and all(t in _LIST_JOINS for gap in gaps for t in gap)


def _coordinated(tps):
    groups, current = [], [tps[0]]
    for tp in tps[1:]:
        if tp.a - current[-1].b <= 2:
            current.append(tp)
        else:
            groups.append(current)
            current = [tp]
    groups.append(current)
    return [g for g in groups if len(g) >= 2]


def _set_tp(row, tp):
    text = tp.text
    for prefix in ("at the ", "at ", "the ", "by the ", "by "):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    row.fields["timepoint"] = text
    if tp.days is not None:
        row.fields["timepoint_days"] = tp.days


def _ends_phrase(index, k, hi):
    """Tell whether the word at ``k`` is a verb that ends a noun phrase.

    ``developed``; ``using this model`` (a word in -ing before a determiner or preposition).
    """
    w = index.lowers[k]
    if w.endswith("ed") and len(w) > 4:
        return True
    nxt = index.lowers[k + 1] if k + 1 < hi else ""
    return w.endswith("ing") and len(w) >= 5 and nxt in _MODIFIER_STOP


def _phrase(index, k, hi, limit=5):
    """Words from ``k`` up to a stop word or punctuation, at most ``limit`` tokens."""
    lowers = index.lowers
    if k + 1 < hi and lowers[k] in ("patients", "those") and lowers[k + 1] == "with":
        k += 2  # "for patients with HR cytogenetics"
    elif k + 2 < hi and lowers[k] in ("patients", "those") and lowers[k + 1].endswith("ed") \
            and lowers[k + 2] in ("with", "by"):
        k += 3  # "for patients treated with insulin"
    out = k
    while out < hi and out - k < limit and lowers[out] not in _GROUP_STOP \
            and index.texts[out] not in COMPARATORS \
            and index.numbers[out] is None \
            and not (out > k and lowers[out - 1] != "-" and _ends_phrase(index, out, hi)):
        out += 1
        if lowers[out - 1] in _words("group_head"):
            if out < hi and (_group_letter(index, out) or index.numbers[out] is not None):
                out += 1  # "in group B"
            break  # "in rectal diclofenac group developed ...": the group ends at its head
    if out == k:
        return None
    while out > k and index.lowers[out - 1] in ("the", "a", "an", "-", "or", "and") \
            and not _group_letter(index, out - 1):
        out -= 1
    start = k
    while start < out and index.lowers[start] in ("the", "a", "an", "patients", "those"):
        start += 1
    if start < out and index.lowers[start] == "with" :
        start += 1
    if start >= out or not index.texts[start][0].isalnum() \
            or index.lowers[start] in _words("link_filler") or index.lowers[start].endswith("ly"):
        return None  # "for approximately 50%"
    return _span_text(index, start, out)


# --------------------------------------------------------------------------- outcomes

_CLAUSE_WORDS = {"that", "which", "who", "whom", "whose", "where", "while", "whereas", "when", "if",
                 "although", "because", "but", "whether", "since", "though"}
_BOUNDARY = {",", ";", ":", "(", ")", "[", "]", ".", "?", "!"}
# Statistic keywords that name how a value is counted, never what is measured.
_BARE_STAT_WORDS = {"proportion", "proportions", "percentage", "percentages", "rate", "rates",
                    "frequency", "frequencies"}


def _words(name):
    """Return one word list of ``patterns/context_words.jsonl`` as a frozenset.

    Examples
    --------
    >>> "was" in _words("link_verb"), "group" in _words("group_head")
    (True, True)
    """
    found = _WORD_LISTS.get(name)
    if found is None:
        from evidextract.extract._patterns import load_patterns

        for p in load_patterns("context_words.jsonl"):
            _WORD_LISTS.setdefault(p["id"], set()).add(p["pattern"][0]["LOWER"])
        for key, words in list(_WORD_LISTS.items()):
            _WORD_LISTS[key] = frozenset(words)
        found = _WORD_LISTS.get(name, frozenset())
    return found


_WORD_LISTS: dict = {}


def _outcome_text(index, start, end, pid):
    """Return the outcome a rule match names: as written, or its abbreviation when spelled out.

    ``Numerical Pain Rating Scale`` is given as ``NRS`` (what reviewers pool by), while
    ``pain severity``, ``LTC`` or ``operation time`` stay as the abstract writes them.
    """
    text = _span_text(index, start, end)
    if " " in text and " " not in pid and any(c.isupper() for c in pid) \
            or text.lower() == "aged":
        return pid  # and "aged 61 years" is an age
    return text


def _subject_span(index, a, lo):
    """Return the token span of the subject a value is stated for, or None.

    ``The mean tumor size was 5.0 cm``: the words before ``was`` up to the start of the
    clause. Only a linking verb (``was``, ``were``, ``decreased to``) right before the
    value makes a subject.
    """
    lowers = index.lowers
    verbs, fillers = _words("link_verb"), _words("link_filler")
    k = a - 1
    if k - 1 >= lo and lowers[k] in ("approximately", "about", "nearly"):
        k -= 1
    if k - 1 >= lo and lowers[k] == "of" and lowers[k - 1] not in verbs:
        # "an osteoporosis prevalence of 4.4%", "mean follow-up of 12.6 months"
        start = _np_before(index, k, lo, limit=4)
        return (start, k) if start < k else None
    k, verb = a - 1, None
    while k >= lo and a - k <= 6:
        w = lowers[k]
        if w in verbs:
            verb = k
        elif w in fillers:
            pass
        elif verb is None and (w.endswith("ed") and len(w) > 4 or w in _PASSIVE_PREPOSITIONS
                               or w in _FOUND):
            pass  # "LTC was achieved in 23/28", "cementoplasty was used for 76 SM"
        else:
            break
        k -= 1
    if verb is None:
        return None
    end = k + 1
    start = end
    while start - 1 >= lo and end - start < 16:
        w = lowers[start - 1]
        if w == "," and start - 2 >= lo and (index.numbers[start - 2] is not None
                                             or lowers[start - 2] in NUMBER_WORDS) \
                and _is_listed_time(index, start - 2):
            start -= 1  # "at 1, 2, 3 and 5 years": a list of times, not a clause
            continue
        if w == ")" and start - 3 >= lo and index.texts[start - 3] == "(" \
                and _is_abbreviation(index.texts[start - 2]):
            start -= 3  # "Kayser-Fleischer (KF) ring was found"
            continue
        if w in _BOUNDARY or w in _CLAUSE_WORDS or w in verbs or w == "%":
            break
        if (index.numbers[start - 1] is not None or w in NUMBER_WORDS) \
                and not _is_listed_time(index, start - 1):
            break
        start -= 1
    if start < end - 1 and start - 1 >= lo and lowers[start - 1] in verbs \
            and lowers[start].endswith("ed"):
        start += 1  # "When side effects were investigated nausea was": a verb, then the subject
    return (start, end) if start < end else None


_INTRO_PREPOSITIONS = {"for", "in", "among", "at", "after", "during", "following", "from", "with"}
_PASSIVE_PREPOSITIONS = {"in", "for", "on", "with", "among", "used"}


def _word_count(index, start, end):
    """Count the words of tokens ``start:end``; ``follow-up`` is one word of three tokens."""
    joins = sum(1 for k in range(start + 1, end - 1) if index.texts[k] == "-"
                and not index.spaces[k - 1] and not index.spaces[k])
    return end - start - 2 * joins


def _is_listed_time(index, k):
    """Tell whether the number at ``k`` is one of a list of times (``at 1, 3, 5 years``)."""
    if k in index.covered["TIMEPOINT"]:
        return True
    nxt = index.lowers[k + 1] if k + 1 < len(index.lowers) else ""
    if nxt in (",", "and") and k + 2 < len(index.lowers) and index.lowers[k + 2] == "and":
        k += 1  # "one, two, and three years"
    return nxt in (",", "and", "or", "-") and k + 2 < len(index.lowers) \
        and (index.numbers[k + 2] is not None or index.lowers[k + 2] in NUMBER_WORDS)


def _trim_outcome(index, start, end):
    """Trim a subject to the name of its outcome.

    ``the mean score for worst pain in a 24-hour period`` -> ``score for worst pain``;
    ``The percentage of IFs`` -> ``IFs``.
    """
    lowers = index.lowers
    lead, measure, cut = _words("outcome_lead"), _words("outcome_measure"), _words("outcome_cut")
    tps = index.covered["TIMEPOINT"]
    if lowers[start] in _INTRO_PREPOSITIONS:
        # "For the unpracticed radiologists the percentage agreement": the second phrase.
        nxt = next((k for k in range(start + 2, end) if lowers[k] in ("the", "a", "an")), None)
        if nxt is None:
            return start, start
        start = nxt
    while start < end:
        w = lowers[start]
        if w in lead or start in tps or w in (",", "and", "-") or (
                index.numbers[start] is not None or w in NUMBER_WORDS) and start + 1 < end \
                and lowers[start + 1] in ("-", ",", "and"):
            start += 1  # "Two- and 5-year survival rates": the times are no part of it
        elif w in measure and start + 1 < end and lowers[start + 1] in ("of", "in"):
            start += 2
        else:
            break
    for k in range(start + 1, end):
        if k in tps or index.numbers[k] is not None:
            end = k  # "The mean VAS 6 months after surgery": the time is no part of it
            break
        if lowers[k].endswith("ed") and len(lowers[k]) > 4 and k + 1 < end \
                and lowers[k + 1] in ("by", "with", "using", "according"):
            end = k  # "The rate of AKI assessed by AKIN criteria"
            break
        if lowers[k] in cut or lowers[k] == "for" and k + 1 < end \
                and lowers[k + 1] in ("patients", "those", "the", "a", "an", "participants"):
            end = k
            break
    while end > start and lowers[end - 1] in ("the", "a", "an", "-", "and", "of"):
        end -= 1
    return start, end


_INSTRUMENT_WORDS = {"score", "scores", "scale", "value", "values", "level", "levels", "index"}


def _subject_outcome(index, a, lo):
    """Return the outcome named as the subject of the value at ``a``, or None."""
    span = _subject_span(index, a, lo)
    if span is None:
        return None
    start, end = _trim_outcome(index, *span)
    if start >= end or _word_count(index, start, end) > 6 \
            or index.lowers[start] in _words("outcome_cut") or not index.texts[start][0].isalnum():
        return None
    if end - start >= 4 and index.texts[end - 1] == ")" and index.texts[end - 3] == "(":
        return index.texts[end - 2]  # "Pain (NRS) decreased": the instrument's abbreviation
    words = index.lowers[start:end]
    if all(w in _words("pronoun") or w in _MODIFIER_STOP or w in _words("outcome_measure")
           for w in words):
        return None  # "the difference was": no name of an outcome
    keywords = index.covered["STAT_KEYWORD"]
    if all(k in keywords for k in range(start, end)) \
            or any(k in index.covered["CI"] for k in range(start, end)):
        return None  # "the sensitivity was 80%", "the 95% confidence interval ranged from"
    if all(k in index.covered["UNIT"] for k in range(start, end)):
        return None  # "eletriptan 20 mg, 40 mg, and 80 mg were": a unit
    for k in range(start, end):
        hit = index.covered["OUTCOME"].get(k)
        if hit is not None and hit[0] >= start and hit[1] <= end:
            text = _outcome_text(index, *hit)
            if text == hit[2] and text != _span_text(index, hit[0], hit[1]):
                return text  # the abbreviation of a spelled-out instrument
            rest = index.lowers[start:hit[0]] + index.lowers[hit[1]:end]
            if any(c.isupper() for c in hit[2]) and all(w in _INSTRUMENT_WORDS for w in rest):
                return text  # "the mean VAS score": the instrument
            break
    return _span_text(index, start, end)


def _own_keyword(index, r, lo, hi):
    """``sensitivity`` for a sensitivity row: its own keyword nearest it in the sentence."""
    cover = index.covered["STAT_KEYWORD"]
    best = None
    for k in range(max(lo, r.a - _LOOKBACK), min(hi, r.b + 3)):
        hit = cover.get(k)
        if hit is not None and hit[2] == r.stat and (r.a <= k < r.b) is False:
            if best is None or abs(k - r.a) < abs(best[0] - r.a):
                best = hit
    if best is None:
        return None
    text = _span_text(index, best[0], best[1])
    # "sensitivities with 95% confidence interval were ...": one value, one sensitivity.
    return text[:-3] + "y" if text.lower().endswith("ities") else text


def _quantity_outcome(index, r, lo, hi):
    """``tumor size ≥4 cm``, ``30 mm of lengthening``: what a quantity measures."""
    lowers, texts = index.lowers, index.texts
    k = r.a
    while k - 1 >= lo and texts[k - 1] in COMPARATORS:
        k -= 1
    start = k
    while start - 1 >= lo and k - start < 3 and texts[start - 1].isalpha() \
            and lowers[start - 1] not in _MODIFIER_STOP and lowers[start - 1] not in _BOUNDARY \
            and lowers[start - 1] not in _CLAUSE_WORDS \
            and lowers[start - 1] not in _words("outcome_cut") \
            and lowers[start - 1] not in _GROUP_STOP and lowers[start - 1] not in _RANGE_DASHES \
            and not lowers[start - 1].endswith(("ed", "ly", "ing")):
        start -= 1
    while start < k and lowers[start] in ("either", "neither", "both"):
        start += 1
    if start < k and not all(w in _words("pronoun") or w in _words("outcome_measure")
                             or w in ORDINAL_WORDS for w in lowers[start:k]):
        unit = r.fields.get("unit") or ""
        if k - 1 in index.covered["COUNT_NOUN"] and unit.lower() in ("mm", "cm", "m"):
            noun = lowers[k - 1]
            return f"{noun[:-1] if noun.endswith('s') else noun} size"  # "Tumors ≤3.5 cm"
        return _span_text(index, start, k)
    if r.b + 1 < hi and lowers[r.b] == "of" and texts[r.b + 1].isalpha():
        return _phrase(index, r.b + 1, hi, limit=3)
    return None


def _label_before(index, r, lo):
    """``(n = 100; age 62.5 ± 5.2; event rate 50%)``: a label between a list mark and its value."""
    texts, lowers = index.texts, index.lowers
    a = r.a
    if a - 2 >= lo and texts[a - 1] == "," and texts[a - 2].isalnum():
        a -= 1  # "(RFA vs. MWA: initial CA, 97.0% vs. 96.4%"
    start = a
    while start - 1 >= lo and a - start < 3 and texts[start - 1].isalpha() \
            and lowers[start - 1] not in _MODIFIER_STOP and start - 1 not in index.covered["UNIT"] \
            and lowers[start - 1] not in _words("link_filler") \
            and lowers[start - 1] not in _CLAUSE_WORDS \
            and not lowers[start - 1].endswith(("ly", "ing", "ed")):
        start -= 1
    if start == a or start - 1 < lo or texts[start - 1] not in (";", ",", "(", "[", ":") \
            and not (lowers[start - 1] == "and" and a == r.a and start - 2 >= lo
                     and (texts[start - 2] in (")", "%") or index.numbers[start - 2] is not None)) \
            or a < r.a and texts[start - 1] not in (";", ":"):
        return None
    while a > start and lowers[a - 1] in ("range", "mean", "median", "sd", "iqr"):
        a -= 1  # "(κ coefficient range 0.45": the statistic and its spread
    if start == a or all(k in index.covered["STAT_KEYWORD"] for k in range(start, a)) \
            or all(w in _words("outcome_measure") for w in lowers[start:a]):
        return None
    start, end = _trim_outcome(index, start, a)
    return _span_text(index, start, end) if start < end else None


def _predicate_outcome(index, r, hi):
    """Return what counted units had or were.

    ``39 (24.4%) vertebrae showed bone cement leakage``, ``Thirty-four patients (34/64;
    53.1%) were completely pain-free``, ``635 (9.33%) men ... died``.
    """
    lowers = index.lowers
    k = r.b
    if k < hi and lowers[k] in ("who", "that"):
        k += 1
    if k >= hi:
        return None
    w = lowers[k]
    if w in _HAVING:
        end = k + 1
        while end < hi and end - k <= 5 and lowers[end] not in _NP_END \
                and index.numbers[end] is None and lowers[end] not in ("(", "["):
            end += 1
        if end == k + 1:
            return index.texts[k] if w in _BARE_OUTCOME_VERBS else None  # "women died"
        first, last = k + 1, end
        while first < last and lowers[first] in ("a", "an", "the"):
            first += 1
        while last > first and lowers[last - 1] in ("a", "an", "the", "above", "below"):
            last -= 1
        return _span_text(index, first, last) if first < last else None
    if w in ("were", "was"):
        first = k + 1
        if first < hi and lowers[first] == "with":
            first += 1
        while first < hi and lowers[first] in ("a", "an", "the"):
            first += 1
        end = first
        while end < hi and end - first < 4 and lowers[end] not in _NP_END \
                and index.numbers[end] is None and lowers[end] not in ("(", "["):
            end += 1
        if first == end or lowers[first] in _NOT_PREDICATE or lowers[first].endswith("ed") \
                or lowers[end - 1].endswith("ed"):
            return None  # "were included", "were eligible": who was counted, not an outcome
        return _span_text(index, first, end)
    return None


# Verbs whose object is what counted units had: "patients had a major complication".
_HAVING = {"had", "showed", "developed", "experienced", "achieved", "required", "needed",
           "suffered", "died", "survived", "recovered", "relapsed"}
_BARE_OUTCOME_VERBS = {"died", "survived", "recovered", "relapsed"}
_NOT_PREDICATE = {"eligible", "available", "evaluable", "excluded", "included", "enrolled",
                  "born", "given", "seen", "taken", "known", "shown", "done", "lost",
                  "randomized", "randomised", "alive", "male", "female", "women", "men",
                  "treated", "able", "unable", "not", "also", "then", "still", "in", "at",
                  "on", "from", "to", "by", "of", "for"}


def _bracket_outcome(index, r, lo):
    """``Breast (18.6%)``: a percentage in brackets after what it counts."""
    texts, lowers = index.texts, index.lowers
    k = r.a - 1
    if k < lo or texts[k] not in ("(", "["):
        return None
    start = k
    while start - 1 >= lo and k - start < 4 and lowers[start - 1] not in _MODIFIER_STOP \
            and texts[start - 1] not in (",", ";", ":", ")", "(") \
            and index.numbers[start - 1] is None and unit_days(texts[start - 1]) is None:
        start -= 1
    if start < k and texts[start] == "-" and start - 1 >= lo and texts[start - 1].isalpha() \
            and not index.spaces[start - 1]:
        start -= 1  # "intra-operative steroid injection (0.29%)"
    if start == k or any(w in _words("group_head") for w in lowers[start:k]) \
            or any(w in _words("quantifier") or w in NUMBER_WORDS or w in _COMPARED
                   for w in lowers[start:k]) or lowers[start].endswith("ing"):
        return None  # "the PV group (2.2%)", "The majority (76.4%)", "Ninety-eight (88%)"
    if _arm_before(index, start, lo):
        return None  # "versus placebo (8.5%)", "in women (48%)": an arm or population
    return _span_text(index, start, k)


def _arm_before(index, start, lo):
    """Tell whether the noun phrase at ``start`` is an arm compared or a population.

    ``versus placebo (``, ``compared with placebo (``, ``in women (``, ``to receive X (``.
    """
    lowers = index.lowers
    q = start - 1
    if q >= lo and lowers[q] == "to":
        return True  # "randomized to receive placebo [0.2%]"
    while q >= lo and lowers[q] in ("the", "those", "that", "a", "an"):
        q -= 1
    if q < lo:
        return False
    return lowers[q] in _COMPARE or lowers[q] in ("in", "among", "amongst") \
        or lowers[q] in ("with", "to") and q - 1 >= lo and lowers[q - 1] == "compared"


def _sex_outcome(index, r, hi):
    """``60.6% being female``, ``108/172 (62.79%) males``: the sex a percentage counts."""
    lowers, texts = index.lowers, index.texts
    sexes = ("female", "females", "male", "males", "women", "men")
    k = r.b + (1 if r.b < hi and lowers[r.b] == "being" else 0)
    if k < hi and lowers[k] in sexes:
        return texts[k]
    unit = r.fields.get("unit")
    if unit and unit.lower() in ("males", "females", "women", "men"):
        return unit
    if r.a - 1 >= 0 and lowers[r.a - 1] in sexes:
        return texts[r.a - 1]  # "male 55%"
    return None


def _names_outcome(index, hit, r):
    """Tell whether an outcome rule match names an outcome here.

    ``age-adjusted`` is no age, and ``follow-up`` inside a timepoint (``at the last
    follow-up``) is no outcome, unless the value follows it in brackets
    (``at the last follow-up (mean 14.7 months)``).
    """
    start, end, _ = hit
    texts = index.texts
    if end < len(texts) and texts[end] == "-" and not index.spaces[end - 1]:
        return False
    if start - 2 >= 0 and index.lowers[start - 1] == "for" and index.lowers[start - 2] in (
            "adjusting", "adjusted", "controlling", "controlled", "accounting"):
        return False  # "after adjusting for age": a covariate
    if start in index.covered["TIMEPOINT"]:
        return end + 1 < r.a and texts[end] in ("(", "[") and ")" not in texts[end:r.a] \
            and index.lowers[end + 1] in ("mean", "median")
    return True


def _noun_after_percent(index, r, hi):
    """``24% retreatment after SF``: the lower-case noun right after a percentage."""
    k = r.b
    if not r.percent or "unit" in r.fields or k + 1 >= hi:
        return None
    word = index.texts[k]
    if not word.isalpha() or not word.islower() or index.lowers[k] in _MODIFIER_STOP \
            or k in index.covered["COUNT_NOUN"] or k in index.covered["UNIT"]:
        return None
    if index.lowers[k] in _COMPARED \
            or index.lowers[k].endswith(("ive", "ly", "ous", "ful", "able", "ible")):
        return None  # "were 30% lower", "50% effective", "by 20% postoperatively"
    if index.lowers[k] in _words("outcome_measure") and index.lowers[k + 1] in ("in", "of"):
        return _phrase(index, k + 2, hi, limit=4)  # "a 5% decrease in carotid compliance"
    if index.lowers[k + 1] not in ("after", "in", "for", "vs", "vs.", "versus", ",", ";", ".",
                                   "with", "at", "and", "among"):
        return None
    return word


def _pattern_outcome(index, r, lo, hi):
    """Return the outcome rule match nearest before the value (or just after it)."""
    outcomes = index.covered["OUTCOME"]
    k = _after_brackets(index, r, hi)
    if k < hi and index.texts[k] in ("(", "["):
        close = next((q for q in range(k, min(hi, k + 10)) if index.texts[q] in (")", "]")),
                     None)
        k = close + 1 if close is not None else k
    if k + 1 < hi and index.lowers[k] == "of" and outcomes.get(k + 1) is not None:
        return _outcome_text(index, *outcomes[k + 1])  # "25.9 months (median 16.5) of follow-up"
    window = 8 if r.stat == "quantity" else _LOOKBACK  # a dose names no outcome far before it
    positions = _sorted_positions(index, "OUTCOME")
    m = bisect_left(positions, r.a) - 1
    floor = max(lo, r.a - window)
    while m >= 0 and positions[m] >= floor:
        hit = outcomes[positions[m]]
        if _names_outcome(index, hit, r):
            return _outcome_text(index, *hit)
        m -= 1
    for k in range(r.b, min(hi, r.b + 3)):
        hit = outcomes.get(k)
        if hit is not None:
            return _outcome_text(index, *hit)
    return None


def _sorted_positions(index, label):
    """Return (and keep on the index) the sorted tokens a label's matches cover."""
    cache = index.sorted_covered
    found = cache.get(label)
    if found is None:
        found = cache[label] = sorted(index.covered[label])
    return found


def _keyword_outcome(index, r, lo):
    """``osteoporosis prevalence was 2.84%``: a keyword that names what is counted."""
    kw = nearest_keyword(index, r.a, lo, window=_LOOKBACK)
    if kw is None or kw[0] != "proportion":
        return None
    if kw[3] + 1 < r.a and index.lowers[kw[3]] == "of" and index.texts[kw[3] + 1].isalpha():
        end = kw[3] + 1  # "the incidence of new fractures in the OMT group was"
        while end < r.a and end - kw[3] <= 4 and index.lowers[end] not in _NP_END \
                and index.lowers[end] not in _words("outcome_cut") and index.texts[end].isalpha():
            end += 1
        if end > kw[3] + 1:
            return _span_text(index, kw[3] + 1, end)
    text = _span_text(index, kw[2], kw[3])
    return None if text.lower() in _BARE_STAT_WORDS else text


_COMPARED = {"higher", "lower", "larger", "smaller", "greater", "more", "less", "better", "worse",
             "longer", "shorter", "fewer", "superior", "inferior"}
_NP_END = _GROUP_STOP | {"than", "in", "at", "for", "between", "compared", "on", "from", "to",
                         "over",
                         "among", "across", "when", "within", "without", "after", "before"}


def _comparison_outcome(index, a, lo):
    """Return what a comparison before ``a`` compares, or None.

    ``EOS imaging demonstrated significantly higher accuracy than`` -> ``accuracy``;
    ``Ktrans and Kep were significantly lower in`` -> ``Ktrans and Kep``. Who ``had``
    more, or was ``more effective``, is a group, not an outcome.
    """
    lowers = index.lowers
    start = lo
    for k in range(a - 1, max(lo, a - _LOOKBACK) - 1, -1):
        if lowers[k] == ";":
            start = k + 1
            break
    c = next((k for k in range(a - 1, max(start, a - _LOOKBACK) - 1, -1)
              if lowers[k] in _COMPARED), None)
    if c is None:
        return None
    m = c - 1
    while m >= start and lowers[m] in _BEFORE_COMPARATIVE:
        m -= 1
    if m == c - 1:
        return None  # "the femurs with larger volumes": no comparison is stated
    k = c + 1
    while k < a and lowers[k] in ("a", "an", "the"):
        k += 1
    end = k
    while end < a and end - k < 6 and index.numbers[end] is None and (
            lowers[end] not in _NP_END or lowers[end] in ("in", "of") and end > k
            and lowers[end - 1] in _words("outcome_measure")):
        end += 1  # "a smaller increase in BML volume"
    if end > k and not lowers[end - 1].endswith(_ADJECTIVE_ENDINGS + ("ed",)) \
            and lowers[end - 1] != "likely" and not lowers[k].endswith("ly") \
            and lowers[k] not in ("often", "frequently", "likely", "than"):
        first, last = _trim_outcome(index, k, end)
        keywords, nouns = index.covered["STAT_KEYWORD"], index.covered["COUNT_NOUN"]
        if first < last and not all(q in keywords for q in range(first, last)) \
                and not all(q in nouns for q in range(first, last)) \
                and not all(w in _words("pronoun") or w in _words("outcome_measure")
                            for w in lowers[first:last]):
            return _span_text(index, first, last)
        return None
    if lowers[c] in ("more", "less") or any(lowers[q] in _POSSESSING for q in range(m + 1, c)):
        return None
    # "Ktrans and Kep were significantly lower": the subject before the verb.
    first = m + 1
    while first - 1 >= start and m + 1 - first < 10 and lowers[first - 1] not in _BOUNDARY \
            and lowers[first - 1] not in _CLAUSE_WORDS and index.numbers[first - 1] is None \
            and lowers[first - 1] not in ("however", "overall"):
        first -= 1
    first, last = _trim_outcome(index, first, m + 1)
    if first >= last or last - first > 6 or not index.texts[first][0].isalnum():
        return None
    if all(w in _words("pronoun") or w in _MODIFIER_STOP for w in lowers[first:last]):
        return None
    return _span_text(index, first, last)


_POSSESSING = {"had", "has", "have", "showed", "demonstrated", "achieved"}
_ADJECTIVE_ENDINGS = ("ive", "ate", "ble", "ful", "ous", "ly", "ise", "ent", "ant", "ic")
_BEFORE_COMPARATIVE = {"significantly", "were", "was", "is", "are", "not", "statistically",
                       "demonstrated", "achieved",
                       "slightly", "much", "no", "had", "has", "have", "showed", "a", "an",
                       "be", "been", "remained", "also", "markedly", "considerably"}


def _trailing_noun(index, run, hi):
    """``(79.4% vs. 71.7% precision rates;``: the noun after a compared pair names it."""
    lowers = index.lowers
    if len(run) < 2 or not any(t in ("vs", "vs.", "versus")
                               for t in lowers[run[0].b:run[-1].a]):
        return None
    k = run[-1].b
    end = k
    while end < hi and end - k < 4 and index.texts[end].isalpha() \
            and lowers[end] not in _MODIFIER_STOP:
        end += 1
    if end == k or end >= hi or lowers[end] not in (";", ")", ",", "]"):
        return None
    return _span_text(index, k, end)


def _pair_bracket_outcome(index, run, lo):
    """``dosage of morphine (85.56±17.23 vs. 32.78±4.61``: the phrase before a compared pair."""
    first = run[0]
    if len(run) != 2 or first.stat in ("proportion", "sample_size") or first.a - 1 <= lo \
            or index.texts[first.a - 1] not in ("(", "[") \
            or not any(t in ("vs", "vs.", "versus") for t in index.lowers[first.b:run[1].a]):
        return None
    k = first.a - 1
    start = _np_before(index, k, lo)
    if start - 2 >= lo and index.lowers[start - 1] == "of" and index.texts[start - 2].isalpha() \
            and index.lowers[start - 2] not in _MODIFIER_STOP:
        start -= 2  # "dosage of morphine"
    if start == k or _word_count(index, start, k) > 5:
        return None
    q = start - 1
    while q >= lo and index.lowers[q] in ("the", "in", "those", "that", "a", "an"):
        q -= 1
    if q >= lo and (index.lowers[q] in _COMPARE or index.lowers[q] in ("with", "to")
                    and index.lowers[q - 1] == "compared") \
            or index.lowers[k - 1] in _words("group_head"):
        return None  # "compared with placebo (4.1 vs. 6.0": the arm, not the outcome
    first_word, end = _trim_outcome(index, start, k)
    if first_word >= end:
        return None
    hit = next((index.covered["OUTCOME"][q] for q in range(first_word, end)
                if q in index.covered["OUTCOME"]), None)
    rest = index.lowers[first_word:hit[0]] + index.lowers[hit[1]:end] if hit else []
    if hit is not None and any(c.isupper() for c in hit[2]) \
            and all(w in _INSTRUMENT_WORDS for w in rest):
        return _span_text(index, hit[0], hit[1])  # "the NRS score (6.83 vs. 1.67": NRS
    return _span_text(index, first_word, end)


def _measure_before_bracket(index, r, lo):
    """``marginal adaptation (0.01 ± 0.10)``, ``odds ratio for global recovery 1.03``."""
    lowers = index.lowers
    k = r.a - 1
    if r.stat in _RATIO_STATS and k - 1 >= lo and lowers[k] not in ("(", "["):
        q = next((q for q in range(k, max(lo, k - 6) - 1, -1) if lowers[q] == "for"), None)
        if q is not None and q - 1 >= lo and index.covered["STAT_KEYWORD"].get(
                q - 1, (0, 0, ""))[2] in _RATIO_STATS:
            return _phrase(index, q + 1, r.a, limit=4)
        return None
    if r.stat not in ("mean", "median") or k < lo or lowers[k] not in ("(", "["):
        return None
    start = _np_before(index, k, lo, limit=3)
    if start < k and lowers[k - 1] in _words("measure_head"):
        return _span_text(index, start, k)
    return None


def _outcome_of(index, r, anchor, lo, hi, prev=None):
    """Decide the outcome of one row.

    ``anchor`` is where its list of values starts, ``prev`` the value before it.
    """
    lowers = index.lowers
    if r.stat == "proportion":
        # What the counted units had or were comes first ("265 (5.81%) women died").
        sex = (_predicate_outcome(index, r, hi) if r.fields.get("unit") else None) \
            or _sex_outcome(index, r, hi) or _noun_after_percent(index, r, hi)
        if sex:
            return sex
        bracket = _bracket_outcome(index, r, lo)
        if bracket:
            return bracket
    measured = _measure_before_bracket(index, r, lo)
    if measured:
        return measured
    if r.stat in ("icc", "kappa", "correlation") and r.b < hi and lowers[r.b] == "for":
        phrase = _phrase(index, r.b + 1, hi, limit=4)
        if phrase:
            return phrase
    if r.stat in _DIAGNOSTIC:
        own = _own_keyword(index, r, lo, hi)
        if own:
            return own
    if r.stat in ("mean", "median") and r.fields.get("unit", "").lower() in ("years", "year") \
            and r.b < hi and lowers[r.b] == "old":
        return "age"
    subject = _subject_outcome(index, anchor, lo)
    if subject:
        return subject
    if r.stat == "quantity":
        found = _quantity_outcome(index, r, lo, hi)
        if found:
            return found
    label = _label_before(index, r, lo) or _shared_outcome(index, prev, r)
    if label:
        return label
    found = _pattern_outcome(index, r, lo, hi)
    if found or r.stat == "quantity":
        return found
    return _keyword_outcome(index, r, lo) or _comparison_outcome(index, anchor, lo)


def _assign_outcomes(index, main, lo, hi, runs=None):
    anchors = {}
    for run in runs or [[r] for r in main]:
        for r in run:
            anchors[id(r)] = run[0].a
    for run in (runs or []) + _vs_pairs(index, main):
        noun = _trailing_noun(index, run, hi) or _pair_bracket_outcome(index, run, lo) \
            or _quantities_of(index, run, hi)
        for r in run if noun else ():
            r.fields["outcome"] = noun
        names = _coordinated_subjects(index, run, lo)
        for r, name in zip(run, names or (), strict=False):
            r.fields.setdefault("outcome", name)
    for k, r in enumerate(main):
        if r.stat == "sample_size" and "outcome" not in r.fields and _passive_in(index, r, lo):
            outcome = _subject_outcome(index, r.a, lo)  # "Cement leakage was found in 8 lesions"
            if outcome:
                r.fields["outcome"] = outcome
        if r.stat == "sample_size" and "outcome" not in r.fields:
            outcome = _predicate_outcome(index, r, hi)  # "10 patients had a better Barthel Index"
            if outcome:
                r.fields["outcome"] = outcome
        if r.stat == "sample_size" or "outcome" in r.fields:
            continue
        outcome = _outcome_of(index, r, anchors.get(id(r), r.a), lo, hi,
                              main[k - 1] if k else None)
        if outcome:
            r.fields["outcome"] = outcome


def _quantities_of(index, run, hi):
    """``at 30 mm, 50 mm, and 70 mm of lengthening``: what a list of quantities measures."""
    k = run[-1].b
    if run[0].stat != "quantity" or k + 1 >= hi or index.lowers[k] != "of" \
            or not index.texts[k + 1].isalpha():
        return None
    return _phrase(index, k + 1, hi, limit=3)


def _passive_in(index, r, lo):
    """Tell whether a count follows ``was found in``: ``Cement leakage was found in 8 lesions``."""
    lowers = index.lowers
    return r.a - 3 >= lo and lowers[r.a - 1] == "in" and lowers[r.a - 2] in _FOUND \
        and lowers[r.a - 3] in ("was", "were")


# Verbs that say an outcome occurred in a count of units (not that the units were studied).
_FOUND = {"found", "noted", "observed", "seen", "detected", "achieved", "reported", "recorded",
          "identified", "diagnosed", "documented"}


def _coordinated_subjects(index, run, lo):
    """Return one outcome for each value of a run stated for coordinated subjects, or None.

    ``Major and minor complication rates were 2.0% and 4.8%`` -> ``Major complication
    rates``, ``minor complication rates``; ``The median cancer-specific and median overall
    survivals were 47.4 months and 33.8 months`` -> ``cancer-specific survivals``, ...
    """
    if len(run) < 2 or run[0].stat in _DIAGNOSTIC | {"sample_size"}:
        return None
    span = _subject_span(index, run[0].a, lo)
    if span is None:
        return None
    start, end = _trim_outcome(index, *span)
    lowers = index.lowers
    parts, first = [], start
    for q in range(start, end + 1):
        if q == end or lowers[q] in (",", "and"):
            if q > first:
                a, b = _trim_outcome(index, first, q)
                if a < b:
                    parts.append((a, b))
            first = q + 1
    if len(parts) != len(run) or any(lowers[q] in ("and", ",") for q in range(*parts[-1])):
        return None
    last_a, last_b = parts[-1]
    if last_b - last_a > 1 and all(b - a == 1 for a, b in parts[:-1]):
        head = _span_text(index, last_a + 1, last_b)  # "Major and minor complication rates"
        return [f"{_span_text(index, a, b)} {head}" for a, b in parts[:-1]] \
            + [_span_text(index, last_a, last_b)]
    return [_span_text(index, a, b) for a, b in parts]


def _shared_outcome(index, prev, r):
    """Return the outcome of the value before, when ``r`` restates or compares it.

    ``agreement was 80% (weighted kappa of 0.78)``, ``Response ... was 71% after SF vs.
    73% after MF``, ``increased from 0.525 to 0.886``.
    """
    if prev is None or "outcome" not in prev.fields or r.a - prev.b > 6 \
            or prev.stat == "quantity" and r.stat != "quantity":
        return None
    gap = index.lowers[prev.b:r.a]
    if gap and gap[0] in ("(", "[") and all(t not in (")", "]", ";") for t in gap):
        return prev.fields["outcome"]
    if prev.stat == r.stat and any(t in _VERSUS or t in ("to", "and") for t in gap) \
            and all(t not in (";", ")", "]") and t not in _words("link_verb") for t in gap):
        return prev.fields["outcome"]  # "was 9.0% in A and 4.5% in B"
    return None


# --------------------------------------------------------------------------- groups

_GROUP_VERBS = {"had", "has", "have", "showed", "show", "shows", "demonstrated", "achieved",
                "maintained", "was", "were", "is", "are", "remained", "reached", "yielded"}
_COMPARE = {"than", "compared", "versus", "vs", "vs."}


def _group_name(index, start, end):
    """Clean a group phrase: no determiner, no count, no head noun that only says "group".

    ``the 46 patients`` -> ``patients``; ``the RFA group`` -> ``RFA``.
    """
    lowers = index.lowers
    while start < end and (lowers[start] in ("the", "a", "an", "both", "all", "those", "with",
                                             "either", "neither")
                           or (index.numbers[start] is not None or lowers[start] in NUMBER_WORDS)
                           and not (start + 1 < end and start + 1 in index.covered["UNIT"])):
        start += 1  # "two control groups" -> "control"; but "the 15 mg group" -> "15 mg"
    while end > start and (lowers[end - 1] in ("the", "a", "an", "-", "only", "alone")
                           and not _group_letter(index, end - 1)
                           or not index.texts[end - 1][-1].isalnum()):
        end -= 1
    if end - start > 1 and lowers[end - 1] in ("group", "groups", "arm", "arms", "phase",
                                               "phases", "patients", "subjects", "participants",
                                               "individuals", "cases"):
        end -= 1  # "the RFA group" -> "RFA", "Mucoid degeneration patients" -> "Mucoid ..."
    if start >= end or end - start > 6 or not index.texts[start][0].isalnum():
        return None
    if all((w in _words("pronoun") or w in _MODIFIER_STOP or w in NUMBER_WORDS
            or w in ("both", "each", "all", "other") or w in _words("group_head"))
           and not _group_letter(index, start + i) for i, w in enumerate(lowers[start:end])):
        return None  # "the group": no group named
    if lowers[end - 1] in _words("not_population") \
            or all(w in ORDINAL_WORDS or w in ("last", "final") for w in lowers[start:end]) \
            or lowers[start] in ("our", "this", "these", "each", "every", "its", "their") \
            or lowers[end - 1] in _DURATION_NOUNS:
        return None  # "the study", "in the first", "in our population": no group
    abbreviation = _abbreviation_after(index, end)
    return abbreviation or _span_text(index, start, end).replace(", and ", " and ")


def _abbreviation_after(index, end):
    """``chronic low back pain (CLBP)``: the abbreviation defined right after a phrase."""
    texts = index.texts
    if end + 2 < len(texts) and texts[end] == "(" and texts[end + 2] == ")" \
            and texts[end + 1].isupper() and texts[end + 1].isalpha():
        return texts[end + 1]
    return None


def _np_before(index, k, lo, limit=4):
    """Return the start of the noun phrase ending right before token ``k`` (or ``k``)."""
    lowers, texts = index.lowers, index.texts
    start = k
    while start - 1 >= lo and _word_count(index, start, k) < limit and k - start < 3 * limit:
        w = lowers[start - 1]
        joined = w == "-" and start - 2 >= lo and not index.spaces[start - 2] \
            and not index.spaces[start - 1]
        if start < k and texts[start] == "-" and not index.spaces[start - 1] \
                and texts[start - 1].isalpha():
            start -= 1  # "intention-to-treat": a word of a compound
            continue
        if _group_letter(index, start - 1):
            start -= 1  # "group A"
            continue
        if w in _MODIFIER_STOP or w in _BOUNDARY or w in _CLAUSE_WORDS or w in _COMPARE \
                or w in _NP_PREPOSITIONS or index.numbers[start - 1] is not None \
                or start < k and w in _ING_VERBS \
                or start < k and w.endswith("ed") and len(w) > 4 and w not in ("advanced",) \
                or not (texts[start - 1][0].isalnum() or joined):
            break
        start -= 1
    return start


# "without" and "under" stay inside a name ("those without pneumothorax", "area under curve").
# Verbs in -ing that end a noun phrase before them ("patients undergoing surgery (n = 12)");
# other words in -ing may be nouns ("smoking cessation", "training set").
_ING_VERBS = {"undergoing", "receiving", "using", "including", "comparing", "following",
              "having", "being", "taking", "treating", "showing", "presenting", "requiring"}
_NP_PREPOSITIONS = {"against", "among", "amongst", "between", "within", "through", "via",
                    "into", "toward", "towards", "per", "about", "either", "neither", "both",
                    "would", "could", "should", "may", "might", "can", "will", "must"}


def _group_letter(index, k):
    """Tell whether token ``k`` is the letter naming a group: ``A`` in ``group A``."""
    t = index.texts[k]
    # An article is never a capital mid-phrase: "vitamin A", "arm B" are names.
    return len(t) == 1 and t.isupper() and k > 0 and index.texts[k - 1].isalpha()


def _is_context_word(index, start, end):
    """Tell whether tokens name an outcome, a statistic, a unit or a time, not a group."""
    for label in ("OUTCOME", "STAT_KEYWORD", "TIMEPOINT", "UNIT"):
        cover = index.covered[label]
        # "group A", "arm B": a letter that names a group is no unit (ampere) nor keyword.
        if any(k in cover and not (len(index.texts[k]) == 1 and k > start
                                   and index.lowers[k - 1] in _words("group_head"))
               for k in range(start, end)):
            return True
    return False


def _bracket_group(index, r, lo):
    """Return the noun phrase before the brackets a value opens: the group it describes.

    ``MR (45.9±52.0cm3)``, ``the CNN (AUC: 0.67)``, ``testing dataset only (n = 100;``.
    """
    texts = index.texts
    k = r.a - 1
    keywords = index.covered["STAT_KEYWORD"]
    while k >= lo and r.a - k <= 7 and texts[k] not in ("(", "[") and \
            (k in keywords or texts[k] in (":", "=", ",", "n", "N")):
        k -= 1
    if k - 3 >= lo and texts[k] == ")" and texts[k - 2] == "(" and k - 1 in keywords \
            and k - 3 in keywords:
        k -= 3  # "[odds ratio (OR) 6.57": the abbreviation of the keyword
        while k >= lo and k in keywords:
            k -= 1
    if k < lo or texts[k] not in ("(", "[") or r.stat in ("correlation", "coefficient"):
        return None
    if r.stat == "sample_size" and index.lowers[r.a] not in ("n", "total"):
        return None  # "(20 men, 17 women)": the kinds of a count, not a group of it
    end = k
    while end - 1 >= lo and index.lowers[end - 1] in ("only", "alone"):
        end -= 1
    last = index.lowers[end - 1] if end - 1 >= lo else ""
    if r.stat == "proportion" and last not in _words("group_head") \
            and not _group_letter(index, end - 1) \
            and not _arm_before(index, _np_before(index, end, lo), lo):
        return None  # "Breast (18.6%)": what a percentage counts is its outcome
    start = _np_before(index, end, lo)
    if start == end or _is_context_word(index, start, end) or last.endswith(("ed", "ly")):
        return None
    if start - 1 >= lo and index.numbers[start - 1] is not None:
        return None  # "at 6 kHz (-0.525": a quantity, not a group
    if r.stat in _RATIO_STATS and last in ("analysis", "analyses", "model", "models"):
        return None  # "on univariate analysis (HR = 0.61": the model, not a population
    if last in _words("measure_head") or start - 1 >= lo and (
            index.lowers[start - 1] in _words("link_verb") or index.lowers[start - 1] == "of"):
        return None  # "fall of systolic BP (-20.6", "birth weight (29 kg)", "was high (39 kg)"
    q = start - 1
    while q >= lo and index.lowers[q] in ("the", "a", "an", "same", "this"):
        q -= 1
    before = index.lowers[q] if q >= lo else ""
    if before in ("at", "during", "after", "before") or q == start - 1 and before == "to" and (
            start - 2 < lo or index.lowers[start - 2] != "compared"):
        return None  # "at randomization (n = 171)": a time; "willing to participate (N ="
    if any(t in _VERSUS for t in index.lowers[r.b:min(len(index.lowers), r.b + 8)]
           if t not in (")", "]")):
        return None  # "the total power (7.5 ln-msec2 vs 8.3": the outcome of a compared pair
    initials = "".join(index.lowers[q][0] for q in range(start, end) if index.texts[q].isalpha())
    if index.lowers[k + 1] == initials:
        return None  # "area under curve (AUC 0.82)": a name defined, not a group
    if r.stat == "sample_size" and end - start == 1 and end - 1 in index.covered["COUNT_NOUN"]:
        return None  # "patients (n = 40)": the counted noun, no subpopulation
    return _group_name(index, start, end)


def _clause_subject(index, k, lo):
    """Return the noun phrase a clause ending before ``k`` starts with, or None.

    ``EOS imaging`` in ``EOS imaging demonstrated significantly higher accuracy than``.
    """
    lowers = index.lowers
    start = k
    while start - 1 >= lo and lowers[start - 1] not in _BOUNDARY:
        start -= 1
    while start < k and lowers[start] in ("overall", "however", "in", "contrast", "moreover",
                                          "the", "but", "and", "whereas", "while"):
        start += 1
    end = start
    while end < k and end - start < 5 and lowers[end] not in _GROUP_VERBS \
            and lowers[end] not in _MODIFIER_STOP and not lowers[end].endswith("ed"):
        end += 1
    if end == start or end >= k or lowers[end] not in _GROUP_VERBS \
            and not lowers[end].endswith("ed"):
        return None
    if lowers[end] in _words("link_verb"):
        # "EOS was more precise": a group; "HDL was increased": an outcome.
        q = end + 1
        while q < k and lowers[q] in ("significantly", "statistically", "much", "slightly"):
            q += 1
        if q >= k or lowers[q] not in ("more", "less", "superior", "inferior"):
            return None
    if _is_context_word(index, start, end):
        return None
    return _group_name(index, start, end)


def _compared_groups(index, opener, lo):
    """Return the two groups a bracketed ``v1 vs. v2`` compares, from the words before it.

    ``lower in the duloxetine phase compared with placebo (``,
    ``higher accuracy than digital radiography (``, ``Compared to the resection group, the
    RFA group had a higher rate (``.
    """
    lowers = index.lowers
    second = first = None
    k = opener
    m = k - 1
    while m >= lo and k - m <= 12 and lowers[m] not in _BOUNDARY:
        if lowers[m] in ("than", "with", "to") and (lowers[m] == "than" or m - 1 >= lo and
                                                     lowers[m - 1] == "compared"):
            start = _np_before(index, k, m + 1, limit=5)
            lead = index.lowers[m + 1:start]
            second = _group_name(index, start, k) if all(
                w in ("in", "the", "those", "that", "of", "with", "a", "an") for w in lead) \
                else None  # "than in the placebo group ("
            if second and _is_context_word(index, start, k):
                second = None
            # "lower in the duloxetine phase compared with": the first group before it.
            stop = m - 1 if lowers[m] != "than" else m
            for q in range(stop - 1, max(lo, stop - 10) - 1, -1):
                if lowers[q] in ("in", "with", "for") and q + 1 < stop:
                    end = next((e for e in range(q + 1, stop) if lowers[e] in _words("link_verb")
                                or lowers[e] in _BEFORE_COMPARATIVE or lowers[e] in _COMPARED),
                               stop)
                    first = _group_name(index, q + 1, end)  # "in omega-3 was shorter than"
                    break
                if lowers[q] in _BOUNDARY or index.numbers[q] is not None:
                    break
            break
        m -= 1
    if first is None:
        first = _clause_subject(index, opener, lo)
    c = lo
    if second is None and lowers[c] == "compared" and c + 1 < opener \
            and lowers[c + 1] in ("to", "with"):
        # "Compared to the resection group, the RFA group had ...".
        comma = next((q for q in range(c + 2, opener) if lowers[q] == ","), None)
        if comma is not None:
            second = _group_name(index, c + 2, comma)
            first = first or _clause_subject(index, opener, comma + 1)
    return first, second


def _labelled_pair(index, opener, close):
    """``(RFA vs. MWA: 12.5 months ... vs. 9.5 months``: groups named before a colon."""
    lowers = index.lowers
    for q in range(opener + 1, min(close, opener + 8)):
        if lowers[q] in ("vs", "vs.", "versus") and q + 1 < close:
            colon = next((c for c in range(q + 1, min(close, q + 5)) if lowers[c] == ":"), None)
            if colon is None:
                return None
            a = _group_name(index, opener + 1, q)
            b = _group_name(index, q + 1, colon)
            return (a, b) if a and b else None
    return None


def _pair_groups(index, run, lo, hi):
    """Set the groups of a pair ``v1 vs. v2`` in brackets (or after ``A vs. B:``)."""
    if len(run) != 2:
        return False
    lowers, texts = index.lowers, index.texts
    gap = lowers[run[0].b:run[1].a]
    if not any(t in ("vs", "vs.", "versus") for t in gap):
        return False
    opener = _opener(index, run[0].a, lo, window=20)
    if opener is None:
        return False
    close = next((k for k in range(run[1].b, min(hi, run[1].b + 20)) if texts[k] in (")", "]")),
                 hi)
    pair = _labelled_pair(index, opener, close)
    if pair is None:
        pair = _compared_groups(index, opener, lo)
    done = False
    for r, g in zip(run, pair, strict=True):
        if g:
            r.fields.setdefault("group", g)
            done = True
    return done


def _intro_group(index, lo, hi):
    """``For older Chinese men (≥ 50 years), ...``: a population named before the clause.

    Returns ``(group, end)``: rows from ``lo`` on belong to the group. ``For example,``,
    ``In addition,`` or ``In this study,`` name none.
    """
    lowers = index.lowers
    k = lo
    if k + 2 < hi and lowers[k] in ("whereas", "while"):
        k += 1
    for q in range(k, min(hi - 2, k + 8)):
        if lowers[q] == "that" and lowers[q + 1] == "," and lowers[q + 2] in ("for", "among"):
            k = q + 2  # "It was proposed that, for older East Asian women, ..."
            break
    if k >= hi or lowers[k] not in ("for", "among", "amongst", "in"):
        return None
    comma = next((q for q in range(k + 1, min(hi, k + 60)) if lowers[q] == ","), None)
    if comma is None:
        return None
    depth = 0
    words = []
    for q in range(k + 1, comma):
        t = lowers[q]
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
        elif not depth:
            words.append(q)
    if not words or any(lowers[q] in _words("not_group") for q in words[:6]):
        return None
    # "For segmentation of pneumonia for positive cases,": the last "for" names whom.
    for q in words[1:]:
        if lowers[q] in ("for", "among") and q + 1 < comma:
            k, words = q, [w for w in words if w > q]
    first = next((q for q in words if lowers[q] not in ("the", "a", "an")), words[0])
    if lowers[first].endswith(("tion", "sion", "ment", "ing", "ance", "ence")) \
            or index.numbers[first] is not None and first + 1 < hi and lowers[first + 1] == "%":
        return None  # "For classification of ...", "In 18.5% of cases"
    # "For 316 cases of Chinese men": the population is after "of"; "In 5 patients with a
    # high risk of impending fracture": after "with".
    start = words[0]
    for q in words[:6]:
        if lowers[q] in ("of", "with") and q - 1 >= 0 and (q - 1 in index.covered["COUNT_NOUN"]
                                                         or lowers[q - 1] in ("study", "data")):
            start = q + 1
    end = start
    while end < comma and (lowers[end] not in _GROUP_STOP or end > start and
                           lowers[end - 1] == "-" and not index.spaces[end - 1]
                           or lowers[end] == "to" and end > start and end + 1 < comma
                           and index.texts[end + 1].isalpha()) \
            and lowers[end] not in ("(", "[") \
            and lowers[end] not in _CLAUSE_WORDS and lowers[end] not in ("based", "according"):
        end += 1
    if lowers[k] == "in" and (end - start > 4 or lowers[end - 1] in ("study", "studies",
                                                                     "trial", "series")):
        return None
    analyses = lowers[end - 1] in ("analysis", "analyses") and not (
        end - 2 >= start and lowers[end - 2] in ("treat", "protocol", "itt", "pp"))
    if end > start and (lowers[end - 1].endswith("ed") or lowers[end - 1].endswith(
            _ADJECTIVE_ENDINGS) or lowers[end - 1] in _words("not_population") or analyses
            or lowers[k] == "for" and lowers[end - 1] in _words("measure_head")):
        return None  # "In a randomized,", "In a prospective,", "Among the time-domain indexes,"
    if end == start or _is_context_word(index, start, end):
        return None
    if all(q in index.covered["COUNT_NOUN"] or index.numbers[q] is not None
           or lowers[q] in ("the", "all") for q in range(start, end)):
        return None  # "Among 70 patients,": everyone, no subgroup
    group = _group_name(index, start, end)
    return (group, comma, start) if group else None


def _sample_group(index, r, lo, hi, later=False):
    """Return the subpopulation a count is of, or None.

    ``751 statin users``, ``44 metastatic``, ``92 in the resection group``,
    ``HSU test dataset (n = 200)``.
    """
    unit = r.fields.get("unit") or ""
    words = unit.lower().split()
    if words and words[-1] in _words("population_noun"):
        return unit
    if r.pattern == "sample_size/enumerated" and index.texts[r.b - 1].isalpha() \
            and r.b < hi and index.lowers[r.b] in (",", "and", ")", ";", "or"):
        return index.texts[r.b - 1]
    k = r.b
    if k + 1 < hi and index.lowers[k] in ("in", "for"):
        end = k + 1
        while end < hi and end - k < 6 and index.lowers[end] not in _GROUP_STOP:
            end += 1
        if index.lowers[end - 1] in _words("group_head"):
            return _group_name(index, k + 1, end)
    return _bracket_group(index, r, lo) or (_arm_received(index, r, hi) if later else None)


def _arm_received(index, r, hi):
    """``40 patients underwent PV and 42 received OMT``: the arm a count was given.

    Only for a count after the first of its sentence: ``51 consecutive patients underwent
    cementoplasty`` is everyone.
    """
    lowers = index.lowers
    for q in range(r.a + 1, min(hi, r.b + 2)):
        if lowers[q] in ("underwent", "received") and q + 1 < hi:
            end = q + 1
            while end < hi and end - q <= 3 and lowers[end] not in _NP_END \
                    and index.numbers[end] is None and lowers[end] not in ("(", "["):
                end += 1
            return _group_name(index, q + 1, end) if end > q + 1 else None
    return None


def _after_phrase_group(index, run, lo, hi):
    """``0.989 in the training set``, ``... for SR cytogenetics``: the phrase after a run."""
    lowers = index.lowers
    k = _after_brackets(index, run[-1], hi)
    if k < hi and lowers[k] in (",",) and k + 1 < hi and lowers[k + 1] == "respectively":
        k += 2
    first = run[0]
    changed = first.a - 2 >= lo and lowers[first.a - 1] == "of" \
        and lowers[first.a - 2] in _words("outcome_measure")
    if k + 1 < hi and lowers[k] in _GROUP_PREPOSITIONS and k + 1 not in \
            index.covered["TIMEPOINT"] and not _purpose(index, k, hi) and not changed:
        listed = _names_respectively(index, k + 1, hi, len(run))
        if listed:
            return listed
        phrase = _phrase(index, k + 1, hi)  # not "a reduction of 5.2% in the passive drag"
        if phrase and (phrase.split()[-1].lower() in _DURATION_NOUNS
                       or unit_days(phrase.split()[-1]) is not None):
            return None  # "6-10% in the whole period", "in the second treatment week": a time
        end = k + 1
        while end < hi and end - k <= 6 and lowers[end] not in _GROUP_STOP:
            end += 1
        return _abbreviation_after(index, end) or phrase  # "in multiple fractions (MF)"
    if k + 1 < hi and lowers[k] == "after" and _is_abbreviation(index.texts[k + 1]):
        return index.texts[k + 1]  # "24% retreatment after SF vs. 6% after MF"
    if k + 1 < hi and lowers[k] in ("from", "of"):
        end = k + 1
        while end < hi and end - k <= 5 and lowers[end] not in _GROUP_STOP \
                and lowers[end - 1] not in _words("group_head"):
            end += 1
        if lowers[end - 1] in _words("group_head"):
            numbered = _numbered_groups(index, run, k + 1, end, hi)
            if numbered:
                return numbered
            if end < hi and (_group_letter(index, end) or index.numbers[end] is not None) \
                    and (end + 1 >= hi or lowers[end + 1] not in ("to", "-", "–")):
                end += 1  # "75% of patients in Group D"
            start = k + 1
            while start < end and lowers[start] in ("patients", "those", "subjects", "in", "of",
                                                    "from", "the"):
                start += 1
            return _group_name(index, start, end)  # "166 (81.0%) patients from the X group"
    return None


def _names_respectively(index, k, hi, n):
    """``in the training and test sets, respectively``: ``n`` names sharing their head noun.

    Return ``["training sets", "test sets"]``, or None unless exactly ``n`` >= 2 names are
    listed before ``respectively``.
    """
    if n < 2:
        return None
    lowers, texts = index.lowers, index.texts
    while k < hi and lowers[k] in ("the", "a", "an"):
        k += 1
    items, current = [], []
    end = k
    while end < hi and end - k < 3 * n + 6:
        word = lowers[end]
        if word in (",", "and", "or"):
            if current:
                items.append(current)
            current = []
        elif word == "respectively" or word in _GROUP_STOP or index.numbers[end] is not None \
                or not texts[end][:1].isalnum():
            break
        elif current or word not in ("the", "a", "an"):
            current.append(texts[end])
        end += 1
    if current:
        items.append(current)
    if len(items) != n or end >= hi or lowers[end] != "respectively" and not (
            lowers[end] == "," and end + 1 < hi and lowers[end + 1] == "respectively"):
        return None
    # "training and test sets": single words before a last item that carries the head,
    # which names each one in the singular ("training set", "test set").
    if not all(len(item) == 1 for item in items[:-1]) or len(items[-1]) < 2:
        return [" ".join(item) for item in items]
    head = items[-1][1:]
    head[-1] = _singular(head[-1])
    return [" ".join(item[:1] + head) for item in items]


def _singular(noun):
    """Return a plural noun in the singular (``sets``, ``therapies``); others as they are."""
    lower = noun.lower()
    if lower.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is", "ses")) and len(noun) > 3:
        return noun[:-1]
    return noun


def _numbered_groups(index, run, start, end, hi):
    """``in 4.8%, 27.6% and 2.4% of age groups 1 to 3, respectively``: one group a value."""
    lowers = index.lowers
    if end + 2 >= hi or lowers[end + 1] not in ("to", "-", "–"):
        return None
    first, last = index.numbers[end], index.numbers[end + 2]
    if first is None or last is None or not float(first).is_integer() \
            or last - first + 1 != len(run) or len(run) < 2:
        return None
    head = _span_text(index, start, end)
    while head.lower().startswith(("the ", "a ")):
        head = head.split(" ", 1)[1]
    head = head[:-1] if head.endswith("s") else head
    return [f"{head} {int(first) + i}" for i in range(len(run))]


def _is_abbreviation(word):
    """Tell whether a word is an abbreviation in capitals: ``SF``, ``MWA``."""
    return len(word) > 1 and word.isupper() and word.isalpha()


def _arm_after(index, r, hi):
    """Return the arm named by its abbreviation right after a value, or None.

    ``35% SF vs. 8% MF nonresponders``, ``8 Gy single fraction (SF)``.
    """
    k = r.b
    nxt = index.lowers[k + 1] if k + 1 < hi else ""
    if r.stat == "proportion" and k < hi and _is_abbreviation(index.texts[k]) \
            and (nxt in _VERSUS or nxt in ("and", "or", ",", ";", ")") or nxt.endswith("s")
                 and nxt.isalpha() and nxt not in _MODIFIER_STOP) \
            and k not in index.covered["UNIT"] \
            and k not in index.covered["COUNT_NOUN"] and k not in index.covered["STAT_KEYWORD"] \
            and k not in index.covered["OUTCOME"]:
        return index.texts[k]
    if r.stat != "quantity":
        return None
    end = k
    while end < hi and end - k < 3 and index.texts[end].isalpha() \
            and index.lowers[end] not in _MODIFIER_STOP:
        end += 1
    return _abbreviation_after(index, end) if end > k else None


def _possessor(index, r, lo):
    """Return whose value it is: ``the Caucasian women's threshold of 80 mg/mL``."""
    lowers = index.lowers
    for q in range(r.a - 1, max(lo, r.a - 5) - 1, -1):
        if lowers[q] in ("'s", "’s") and q - 1 >= lo:
            if q + 1 in index.covered["STAT_KEYWORD"] or q - 1 in index.covered["STAT_KEYWORD"]:
                return None  # "Cohen's d": the name of the statistic
            start = _np_before(index, q, lo, limit=3)
            if start == q or all(p in index.covered["COUNT_NOUN"] or lowers[p] == "patient"
                                 for p in range(start, q)):
                return None  # "the patient's symptoms": anyone's
            return _group_name(index, start, q)
        if lowers[q] in _BOUNDARY or index.numbers[q] is not None:
            return None
    return None


def _quantity_group(index, r, lo):
    """Return the group a quantity in brackets follows: ``the music group (0.110 ng/mL)``."""
    opener = _opener(index, r.a, lo, window=3)
    if opener is None or opener - 1 < lo or index.lowers[opener - 1] not in _words("group_head"):
        return None
    return _bracket_group(index, r, lo)


def _lookback_group(index, run, lo, hi):
    """Return the population named before a run of values, or a list of one for each.

    ``survival rates for patients with HR cytogenetics as 87%``, ``of FCT in patients
    with symptoms from only upper abdomen was 100%``.
    """
    lowers = index.lowers
    for m in range(run[0].a - 1, max(lo, run[0].a - 12) - 1, -1):
        if index.numbers[m] is not None or lowers[m] in (";", "(", ")", ","):
            return None
        if lowers[m] in ("in", "with"):
            listed = _distributed(index, run, m + 1, hi)
            if listed and any(lowers[q] in _words("group_head") for q in range(m + 1, run[0].a)):
                return listed  # "in the RFA and MWA groups were 24.2% and 16.5%, respectively"
        if lowers[m] in ("for", "among", "amongst") and not _purpose(index, m, hi) \
                or lowers[m] == "in" and m + 2 < hi and lowers[m + 1] in ("patients", "those") \
                and lowers[m + 2] == "with":
            listed = _distributed(index, run, m + 1, hi)
            if listed:
                return listed
            if _subject_part(index, m, run[0].a):
                return None  # "requests for ARBs declined by 48.6%": part of the subject
            if m - 1 >= lo and lowers[m] == "for" and index.covered["STAT_KEYWORD"].get(
                    m - 1, (0, 0, ""))[2] in _RATIO_STATS:
                return None  # "odds ratio for global recovery 1.03": the outcome
            if _listed_names(index, m + 1, run[0].a):
                return None  # "in the placebo, vitamin A and beta carotene groups": not one
            if m + 1 in index.covered["OUTCOME"] and index.covered["OUTCOME"][m + 1][0] == m + 1:
                return None  # "the time for pain scores to decrease by 50%": an outcome
            return _phrase(index, m + 1, hi)
    return None


def _listed_names(index, k, a):
    """Tell whether words from ``k`` list several names (``A, B and C groups``)."""
    lowers = index.lowers
    return sum(1 for q in range(k, a) if lowers[q] in (",", "and")) >= 2 or any(
        lowers[q] == "," and q + 1 < a and index.texts[q + 1].isalpha() for q in range(k, a))


def _subject_part(index, m, a):
    """Tell whether the phrase after ``m`` belongs to the subject of a verb.

    ``requests for ARBs declined by 48.6%`` (a verb in -ed follows), ``for a mean duration
    of 8.8 weeks``; not ``survival rates for HR cytogenetics were 87%`` (a group).
    """
    lowers = index.lowers
    k = m + 1
    while k < a and lowers[k] in ("the", "a", "an"):
        k += 1
    if k < a and index.covered["STAT_KEYWORD"].get(k, (0, 0, ""))[2] in ("mean", "median"):
        return True
    if k + 1 < a and lowers[k] in ("patients", "those"):
        return False  # "for patients with HR cytogenetics as 87%": a population
    return any(lowers[q].endswith("ed") and len(lowers[q]) > 4 and lowers[q - 1] != "-"
               for q in range(m + 2, a))


def _distributed(index, run, k, hi):
    """``for PDA-Alpha and PDA-Beta were 0.993 and 0.986, respectively``: one name a value.

    Returns a list of names, one for each row of the run, or None.
    """
    if len(run) < 2 or "respectively" not in index.lowers[run[-1].b:min(hi, run[-1].b + 20)]:
        return None
    names, start = [], k
    for q in range(k, run[0].a):
        t = index.lowers[q]
        if t in (",", "and") or t in _GROUP_STOP:
            if q > start:
                names.append(_group_name(index, start, q))
            start = q + 1
            if t not in (",", "and"):
                break
    if len(names) != len(run) or not all(names):
        return None
    return names


def _keyword_owner(index, r, lo):
    """Return whose figure a statistic is: ``The AUC of CNN was 0.87``, ``The physicians'``."""
    lowers = index.lowers
    cover = index.covered["STAT_KEYWORD"]
    k = r.a - 1
    while k >= lo and r.a - k <= 4 and lowers[k] in _words("link_verb") | {"of", ":", "="}:
        k -= 1
    hit = None
    for q in range(k, max(lo, k - 8) - 1, -1):
        if q in cover:
            hit = cover[q]
            break
        if index.numbers[q] is not None or lowers[q] in _BOUNDARY:
            return None
    if hit is None:
        return None
    start, end = hit[0], hit[1]
    while start - 2 >= lo and lowers[start - 1] in ("and", ",") and start - 2 in cover:
        start = cover[start - 2][0]  # "The physicians' sensitivity and specificity were"
    if start - 1 >= lo and lowers[start - 1] in ("’", "'", "'s", "’s"):
        first = _np_before(index, start - 1, lo, limit=3)
        return _group_name(index, first, start - 1) if first < start - 1 else None
    if hit[2] == r.stat and r.stat in _DIAGNOSTIC | {"icc", "kappa"} \
            and end + 1 < r.a and lowers[end] == "of" \
            and lowers[end + 1] not in ("the", "a", "an") \
            and index.numbers[end + 1] is None:
        last = end + 1
        while last < r.a and last - end <= 3 and lowers[last] not in _GROUP_STOP \
                and lowers[last] not in _words("link_verb"):
            last += 1
        if lowers[last] in _words("link_verb") and not _is_context_word(index, end + 1, last):
            return _group_name(index, end + 1, last)
    return None


def _labelled_subject(index, r, lo):
    """Return the group that ``had`` or ``achieved`` a value.

    ``Group 1 had 34.6%``, ``The present score achieved a sensitivity of 0.78``.
    """
    lowers, cover = index.lowers, index.covered["STAT_KEYWORD"]
    k = r.a - 1
    keyword = k >= lo and lowers[k] == "of" and k - 1 in cover
    if keyword:
        k = cover[k - 1][0] - 1  # "achieved a sensitivity of 0.78"
        while k >= lo and lowers[k] in ("a", "an", "the"):
            k -= 1
    if k < lo or lowers[k] not in _POSSESSING | {"yielded", "reached", "obtained"}:
        return None
    if k - 2 >= lo and lowers[k - 2] in _words("group_head") and (
            index.numbers[k - 1] is not None or _group_letter(index, k - 1)):
        return _span_text(index, k - 2, k)  # "Group 1 had"
    if not keyword:
        return None  # "The procedure demonstrated 100% technical success": no group
    start = _np_before(index, k, lo, limit=3)
    first = start - 1 if start - 1 >= lo and lowers[start - 1] in ("the", "a", "an") else start
    if start == k or first > lo and lowers[first - 1] not in _BOUNDARY:
        return None  # only the subject that opens its clause
    if _is_context_word(index, start, k):
        return None
    return _group_name(index, start, k)


def _estimate_groups(index, r, lo, hi):
    """``between the MWA group and the HRN group (HR =0.98``: the pair an estimate compares."""
    lowers = index.lowers
    if r.stat == "mean_difference" and r.a - 1 > lo and lowers[r.a - 1] == "by":
        by = _difference_by(index, r, lo)
        if by:
            return by
    for q in range(r.a - 1, max(lo, r.a - 60) - 1, -1):
        if lowers[q] == ";":
            return None
        if lowers[q] == "between":
            and_at = next((k for k in range(q + 1, min(r.a, q + 8)) if lowers[k] == "and"), None)
            if and_at is None:
                return None
            end = and_at + 1
            while end < r.a and end - and_at <= 5 and lowers[end] not in _NP_END \
                    and lowers[end] not in ("with", "(", "[", ","):
                end += 1
            a, b = _group_name(index, q + 1, and_at), _group_name(index, and_at + 1, end)
            if a and b and not _is_context_word(index, q + 1, end):
                return f"{a} vs {b}"
            return None
        if lowers[q] == "than":
            return _than_groups(index, q, r.a, lo)
    return None


def _difference_by(index, r, lo):
    """Return the pair a difference stated ``by`` a value compares, as ``A vs B``.

    ``larger with partial tears (2.5 ± 4.9) than normal ACLs by 4.5°, complete tears by
    4.5°``: the group before ``than`` against the one named before ``by``.
    """
    lowers = index.lowers
    start = _np_before(index, r.a - 1, lo, limit=4)
    if start == r.a - 1:
        return None
    second = _group_name(index, start, r.a - 1)
    than = next((q for q in range(r.a - 2, max(lo, r.a - 40) - 1, -1) if lowers[q] == "than"),
                None)
    if than is None or not second:
        return None
    end = than
    if index.texts[end - 1] in (")", "]"):
        end = next((q for q in range(end - 1, max(lo, end - 12) - 1, -1)
                    if index.texts[q] in ("(", "[")), end)
    q = next((q for q in range(end - 1, max(lo, end - 6) - 1, -1)
              if lowers[q] in ("with", "in", "for", "among")), None)
    first = _group_name(index, q + 1, end) if q is not None else None
    return f"{first} vs {second}" if first else None


def _than_groups(index, than, a, lo):
    """``in the RF group were lower than those in the conservative treatment group``."""
    lowers = index.lowers
    heads = _words("group_head")
    k = than + 1
    while k < a and lowers[k] in ("those", "that", "in", "of", "with", "the"):
        k += 1
    end = next((q + 1 for q in range(k, min(a, k + 5)) if lowers[q] in heads), None)
    if end is None:
        return None
    second = _group_name(index, k, end)
    for q in range(than - 1, max(lo, than - 12) - 1, -1):
        if lowers[q] in heads and q - 1 >= lo:
            start = q
            while start - 1 >= lo and q - start < 4 and lowers[start - 1] not in _MODIFIER_STOP \
                    and lowers[start - 1] not in _BOUNDARY:
                start -= 1
            first = _group_name(index, start, q + 1)
            if first and second and lowers[start - 1] in ("in", "the"):
                return f"{first} vs {second}"
            return None
    return None


def _compared_in(index, a, lo):
    """Return the two groups a comparison before a p-value names, as ``A vs B``.

    ``higher in the faculty members than the senior and junior residents (P``.
    """
    lowers = index.lowers
    c = next((k for k in range(a - 1, max(lo, a - 25) - 1, -1) if lowers[k] in _COMPARED), None)
    if c is None or c + 2 >= a or lowers[c + 1] not in ("in", "among", "with", "for"):
        return None
    than = next((k for k in range(c + 2, min(a, c + 9)) if lowers[k] in ("than", "compared")),
                None)
    if than is None:
        return None
    first = _group_name(index, c + 2, than)
    k = than + 1
    while k < a and lowers[k] in ("to", "with", "those", "that", "in", "of", "the"):
        k += 1
    end = k
    while end < a and end - k < 5 and lowers[end] not in _NP_END and lowers[end] not in \
            ("(", "[", ","):
        end += 1
    second = _group_name(index, k, end) if end > k else None
    if first and second and not _is_context_word(index, c + 2, end):
        return f"{first} vs {second}"
    return None


def _after_brackets(index, row, hi):
    """Return the token after the brackets a row leaves open (``0.91 (95% CI; p = .01) for``)."""
    depth = 0
    for t in index.texts[row.a:row.b]:
        depth += t in ("(", "[")
        depth -= t in (")", "]")
    k = row.b
    while depth > 0 and k < hi and k - row.b < 15:
        depth += index.texts[k] in ("(", "[")
        depth -= index.texts[k] in (")", "]")
        k += 1
    return k if depth <= 0 else row.b


def _purpose(index, k, hi):
    """``for classifying osteoporosis``: ``for`` with a verb in -ing says what for, not whom."""
    w = index.lowers[k + 1] if k + 1 < hi else ""
    after = index.lowers[k + 2] if k + 2 < hi else ""
    return index.lowers[k] == "for" and w.endswith("ing") and after not in _words("group_head")


def _vs_pairs(index, main):
    """Return pairs of values compared with ``vs.`` that are no list of their own.

    ``(-29.5 ± 23.3% vs. -17.2 ± 19.6%``: the percent signs keep them apart as a run.
    """
    pairs = []
    units = index.covered["UNIT"]
    for a, b in zip(main, main[1:], strict=False):
        gap = range(a.b, b.a)
        if a.stat != b.stat or not 0 < len(gap) <= 4 \
                or not any(index.lowers[q] in _VERSUS for q in gap):
            continue
        if all(index.lowers[q] in _VERSUS or index.lowers[q] in ("%", ",") or q in units
               for q in gap):
            pairs.append([a, b])
    return pairs


def _assign_groups(index, main, runs, lo, hi):
    intro = _intro_group(index, lo, hi)
    counts = [r for r in main if r.stat == "sample_size"]
    first_count = id(counts[0]) if counts else None
    for pair in _vs_pairs(index, main):
        if all(len(run) == 1 for run in runs if run[0] in pair):
            _pair_groups(index, pair, lo, hi)
    for run in runs:
        groups = _run_groups(index, run, intro, lo, hi, first_count)
        for r, group in zip(run, groups, strict=True):
            if group:
                r.fields.setdefault("group", group)
    _share_bracket_group(index, main, hi)


def _share_bracket_group(index, main, hi):
    """Give the group of a count in brackets to the values that follow it there.

    ``testing dataset only (n = 100; age 62.5 ± 5.2; male 55%)``: all of the testing set.
    """
    for k, r in enumerate(main):
        if r.stat != "sample_size" or index.lowers[r.a] not in ("n", "total") \
                or "group" not in r.fields:
            continue
        depth = 1
        for other in main[k + 1:k + 12]:
            depth += sum(t in ("(", "[") for t in index.texts[r.b:other.a]) \
                - sum(t in (")", "]") for t in index.texts[r.b:other.a])
            if depth <= 0:
                break
            other.fields.setdefault("group", r.fields["group"])


def _run_groups(index, run, intro, lo, hi, first_count=None):
    """Return the group of each row of a run of values (None where none is named)."""
    first = run[0]
    if first.stat == "sample_size":
        # "In two clinical trials where ...": a count inside the phrase is no member of it.
        return [_sample_group(index, r, lo, hi, later=id(r) != first_count)
                or (intro[0] if intro and (r.a > intro[1] or r.b <= intro[2]) else None)
                for r in run]
    if first.stat not in ("icc", "kappa", "correlation"):
        if _pair_groups(index, run, lo, hi):
            return [None] * len(run)
        group = _after_phrase_group(index, run, lo, hi)
        if group:
            return group if isinstance(group, list) else [group] * len(run)
    arms = [_arm_after(index, r, hi) or _possessor(index, r, lo) for r in run]
    if any(arms):
        return arms
    if intro is not None and first.a > intro[1]:
        return [intro[0]] * len(run)
    if first.stat == "quantity":
        # A dose or size names its arm by brackets or an opening phrase only:
        # "in recommended doses (125 mg/day)" is no group.
        return [_quantity_group(index, r, lo) for r in run]
    found = _lookback_group(index, run, lo, hi)
    if found:
        return found if isinstance(found, list) else [found] * len(run)
    owners = [_keyword_owner(index, r, lo) or _labelled_subject(index, r, lo) for r in run]
    if any(owners):
        return [next(o for o in owners if o)] * len(run)
    if first.stat in _RATIO_STATS:
        pairs = [_estimate_groups(index, r, lo, hi) for r in run]
        if any(pairs):
            return pairs
    had = _had_more(index, first.a, lo)
    if had:
        return [had] * len(run)
    if len(run) == 2 and any(t in ("vs", "vs.", "versus") for t in index.lowers[first.b:run[1].a]):
        return [None] * len(run)  # "the NRS score (6.83 vs. 1.67)": the phrase is the outcome
    groups = [_bracket_group(index, r, lo) for r in run]
    if intro is not None:
        # Inside the opening phrase a quantity defines the group ("with a tumor size of
        # ≤ 3 cm"); only what describes its people (age) belongs to it.
        groups = [g or (intro[0] if r.a > intro[1] or r.stat in ("mean", "median") else None)
                  for g, r in zip(groups, run, strict=True)]
    return groups


_VERSUS = {"vs", "vs.", "versus", "v.", "v"}
def _had_more(index, a, lo):
    """Return the group that had more of something (the subject of ``had`` + a comparative).

    ``but the resection group had a higher disease-free survival (median, 22 months``.
    """
    span = _had_span(index, a, lo)
    return _group_name(index, *span) if span else None


def _had_span(index, a, lo):
    """Return the span of the subject of ``had``/``showed`` + a comparative before ``a``."""
    lowers = index.lowers
    opener = _opener(index, a, lo, window=6)
    a = opener if opener is not None else a  # "(median, 22 months": from the brackets on
    start = a
    while start - 1 >= lo and a - start < 30 and lowers[start - 1] not in (",", ";", ":"):
        start -= 1
    while start < a and lowers[start] in ("but", "and", "while", "whereas", "however",
                                          "overall", "in", "contrast", "the"):
        start += 1
    verb = next((q for q in range(start, min(a, start + 6)) if lowers[q] in _POSSESSING), None)
    if verb is None or verb == start or not any(
            lowers[q] in _COMPARED for q in range(verb + 1, min(a, verb + 4))):
        return None
    if _is_context_word(index, start, verb) or any(
            lowers[q] in _MODIFIER_STOP for q in range(start, verb)):
        return None
    return start, verb


_RATIO_STATS = {"smd", "mean_difference", "odds_ratio", "risk_ratio", "hazard_ratio"}


def _p_value_context(index, rows, lo):
    """Give p-values the outcome a comparison names and the pair of groups they test."""
    for r in rows:
        if r.stat == "p_value" and "outcome" not in r.fields:
            outcome = _bracket_label(index, r.a, lo) or _comparison_outcome(index, r.a, lo)
            if outcome:
                r.fields["outcome"] = outcome
        if r.stat == "p_value" and "group" not in r.fields:
            group = _compared_in(index, r.a, lo) or _had_more_than(index, r.a, lo)
            if group:
                r.fields["group"] = group
        if r.stat == "p_value" and "timepoint" not in r.fields:
            _p_timepoint(index, r, lo)
    _compare_p_groups(rows)


def _p_timepoint(index, r, lo):
    """Give a p-value that tests no value of its own the time stated right before it.

    ``better than intra-articular RF at 12 weeks after treatment (P = 0.03)``.
    """
    cover = index.covered["TIMEPOINT"]
    for q in range(r.a - 1, max(lo, r.a - 6) - 1, -1):
        if index.lowers[q] in (";", ")", "]"):
            return
        hit = cover.get(q)
        if hit is not None:
            found = find_timepoints(index, hit[0], hit[1], set())
            if found:
                _set_tp(r, found[-1])
            return


def _had_more_than(index, a, lo):
    """Return ``A vs B``: the group that had more against the one compared with it.

    ``A had a higher BMI and were older than B (p``, ``... or C (p``.
    """
    lowers = index.lowers
    span = _had_span(index, a, lo)
    opener = _opener(index, a, lo, window=3)
    if span is None or opener is None:
        return None
    first = _group_name(index, *span)
    start = _np_before(index, opener, lo, limit=3)
    if start == opener or start - 1 < lo or lowers[start - 1] not in ("than", "or", "and"):
        return None
    second = _group_name(index, start, opener)
    return f"{first} vs {second}" if first and second else None


def _bracket_label(index, a, lo):
    """``(VAS/NRS score, all P < 0.001)``: a label opening the brackets of a p-value."""
    opener = _opener(index, a, lo)
    if opener is None:
        return None
    comma = next((k for k in range(opener + 1, a) if index.lowers[k] == ","), None)
    if comma is None or comma - opener - 1 > 4 or comma == opener + 1:
        return None
    if any(index.numbers[k] is not None or not index.texts[k][0].isalnum() and
           index.texts[k] not in ("/", "-") for k in range(opener + 1, comma)):
        return None
    if _is_context_word(index, opener + 1, comma) and not any(
            k in index.covered["OUTCOME"] for k in range(opener + 1, comma)):
        return None
    return _span_text(index, opener + 1, comma)


def _compare_p_groups(rows):
    """Give a p-value that tests a pair of groups both of them: ``RFA vs MWA``."""
    by_link = {}
    for r in rows:
        if r.stat != "p_value" and r.fields.get("group"):
            by_link[id(r)] = r
    main = [r for r in rows if r.stat != "p_value"]
    position = {id(m): i for i, m in enumerate(main)}
    for r in rows:
        if r.stat != "p_value" or r.link is None or id(r.link) not in by_link:
            continue
        k = position.get(id(r.link))
        if not k:
            continue
        prev = main[k - 1]
        mine, other = r.link.fields["group"], prev.fields.get("group")
        if r.link.stat in _RATIO_STATS or r.link.stat == "coefficient":
            continue  # "HR 0.85 ... for SMA and HR 0.91 ... for SMD": each its own comparison
        if other and other != mine and prev.stat == r.link.stat \
                and " vs " not in mine and " vs " not in other:
            r.fields["group"] = f"{other} vs {mine}"
