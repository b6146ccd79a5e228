"""extract_files: determinism across processes, resume, and every kind of bad input."""

from __future__ import annotations

import errno
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import evidextract
from evidextract._batch import _parts
from evidextract._batch._pubmed_xml import write_pubmed_xml
from evidextract.batch import BatchError, BatchWarning

ROOT = Path(__file__).resolve().parents[1]
PER_FILE = 4
CHUNK = 3  # parts of 3 records: 2 parts a file of 4


def _bench_records(shared_dir, n):
    """The first ``n`` abstracts of the shared corpus that report numbers, with PMIDs."""
    records = []
    with gzip.open(shared_dir / "bench" / "abstracts.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            abstract = row.get("abstract") or ""
            if "%" in abstract and "p" in abstract.lower() and len(abstract) < 2500:
                records.append({"pmid": str(91_000_000 + len(records)),
                                "title": row.get("title") or "", "abstract": abstract})
                if len(records) == n:
                    break
    return records


@pytest.fixture(scope="module")
def corpus(shared_dir, tmp_path_factory):
    """Three small PubMed XML files (one gzipped) made from real abstracts."""
    folder = tmp_path_factory.mktemp("xml")
    records = _bench_records(shared_dir, 3 * PER_FILE)
    paths = []
    for number, name in enumerate(["a.xml", "b.xml.gz", "c.xml"]):
        path = folder / name
        write_pubmed_xml(records[number * PER_FILE:(number + 1) * PER_FILE], path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """An uninterrupted run on one process."""
    out = tmp_path_factory.mktemp("reference")
    run = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    assert run.ok
    return run


def _copy_inputs(corpus, folder):
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in corpus:
        copy = folder / path.name
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    return copies


def _part_files(out):
    return sorted(p.relative_to(out).as_posix() for p in out.glob("*/*") if p.is_file())


def _same_rows(left, right):
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))


def test_batch_output_equals_single_call_extract(corpus, reference):
    stats = reference.statistics()
    direct = evidextract.extract(pd.concat([evidextract.read(p) for p in corpus],
                                           ignore_index=True))
    assert len(stats) == len(direct) > 0
    columns = ["record_id", "start", "end", "text", "stat", "value"]
    left = stats[columns].astype(object).where(stats[columns].notna(), None)
    right = direct[columns].astype(object).where(direct[columns].notna(), None)
    assert left.values.tolist() == right.values.tolist()
    records = reference.records()
    assert len(records) == 3 * PER_FILE
    assert set(records["status"]) == {"ok"}
    # n_statistics accounts for every statistics row
    assert records["n_statistics"].sum() == len(stats)
    assert reference.totals["records"] == 3 * PER_FILE
    # 3 inputs x 2 chunks, each a statistics part and a records part
    assert len(_part_files(reference.out)) == 12


def test_batch_output_same_for_one_and_two_processes(corpus, reference, tmp_path):
    run = evidextract.extract_files(corpus, out=tmp_path / "two", n_process=2,
                                    chunk_size=CHUNK, progress=False)
    assert run.ok
    _same_rows(run.statistics(), reference.statistics())
    _same_rows(run.records(), reference.records())
    assert _part_files(run.out) == _part_files(reference.out)
    assert run.manifest == reference.manifest
    # the parts themselves are byte for byte the same
    for name in _part_files(run.out):
        assert (run.out / name).read_bytes() == (reference.out / name).read_bytes()


def test_batch_pool_renewed_between_generations_gives_the_same_parts(corpus, reference,
                                                                    tmp_path, monkeypatch):
    import evidextract.batch

    monkeypatch.setattr(evidextract.batch, "_TASKS_PER_WORKER", 1)  # pools of 2 inputs
    run = evidextract.extract_files(corpus, out=tmp_path / "out", n_process=2,
                                    chunk_size=CHUNK, progress=False)
    assert run.manifest == reference.manifest
    for name in _part_files(reference.out):
        assert (run.out / name).read_bytes() == (reference.out / name).read_bytes()


def test_batch_single_input_split_over_two_processes_gives_the_same_parts(shared_dir,
                                                                         tmp_path):
    single = tmp_path / "single.xml.gz"
    write_pubmed_xml(_bench_records(shared_dir, 3 * PER_FILE), single)
    one = evidextract.extract_files([single], out=tmp_path / "one", chunk_size=2,
                                    progress=False)
    two = evidextract.extract_files([single], out=tmp_path / "two", n_process=2,
                                    chunk_size=2, progress=False)
    assert one.ok and two.ok and len(one.manifest["inputs"][0]["parts"]) == 6
    assert two.manifest == one.manifest
    assert _part_files(two.out) == _part_files(one.out)
    for name in _part_files(one.out):
        assert (two.out / name).read_bytes() == (one.out / name).read_bytes()


def test_batch_rerun_skips_finished_inputs_and_redoes_a_changed_one(corpus, reference,
                                                                    tmp_path):
    inputs = _copy_inputs(corpus, tmp_path / "in")
    out = tmp_path / "out"
    evidextract.extract_files(inputs, out=out, chunk_size=CHUNK, progress=False)
    stamps = {name: (out / name).stat().st_mtime_ns for name in _part_files(out)}
    again = evidextract.extract_files(inputs, out=out, chunk_size=CHUNK, progress=False)
    assert again.reused_inputs == 3 and again.processed_abstracts == 0
    assert {name: (out / name).stat().st_mtime_ns for name in _part_files(out)} == stamps
    # c.xml shrinks to one record: it is redone and its second part disappears
    text = inputs[2].read_text()
    first_end = text.index("</PubmedArticle>") + len("</PubmedArticle>\n")
    rest = text.index("</PubmedArticleSet>")
    inputs[2].write_text(text[:first_end] + text[rest:])
    changed = evidextract.extract_files(inputs, out=out, chunk_size=CHUNK, progress=False)
    assert changed.reused_inputs == 2
    assert changed.totals["records"] == 2 * PER_FILE + 1
    assert len(_part_files(out)) == 10
    assert len(changed.records()) == 2 * PER_FILE + 1


_KILLED_RUN = r"""
import sys, time
from evidextract import extract_files

# Slow the default extractor down (it stays "evidextract.extract" in the parts'
# footers, so the re-run may reuse them), so the kill lands part-way.
module = sys.modules["evidextract.extract"]
real_extract = module.extract

def slow_extract(records, **kwargs):
    time.sleep(0.4)
    return real_extract(records, **kwargs)

module.extract = slow_extract
extract_files(sys.argv[2:], out=sys.argv[1], chunk_size=3, progress=False)
"""


def _extract_or_die_once(marker, records):
    """Extract, except that the first worker to see records is killed (as by the OOM killer)."""
    if len(records) and not os.path.exists(marker):
        Path(marker).write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    return evidextract.extract(records)


def test_batch_killed_worker_fails_its_inputs_and_rerun_completes(corpus, reference, tmp_path):
    import functools

    out = tmp_path / "out"
    die = functools.partial(_extract_or_die_once, str(tmp_path / "died"))
    with pytest.warns(BatchWarning):
        run = evidextract.extract_files(corpus, out=out, n_process=2, chunk_size=CHUNK,
                                        progress=False, extractor=die)
    assert not run.ok
    assert any("worker process died" in (e["error"] or "") for e in run.manifest["inputs"])
    for path in out.glob("*/*.parquet"):
        assert _parts.read_identity(path) is not None
    again = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    assert again.ok
    _same_rows(again.statistics(), reference.statistics())
    assert again.manifest == reference.manifest


def test_batch_resumes_after_a_kill(corpus, reference, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(out),
                                *map(str, corpus)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(list((out / "records").glob("*.parquet"))) >= 2 or process.poll() is not None:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = sorted((out / "records").glob("*.parquet"))
    assert 2 <= len(finished) < 6, "the kill must land part-way through the run"
    for path in out.glob("*/*.parquet"):  # no half-written part under a final name
        assert _parts.read_identity(path) is not None
        pq.read_table(path)
    stamps = {p: p.stat().st_mtime_ns for p in finished}

    run = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    assert run.ok
    _same_rows(run.statistics(), reference.statistics())
    _same_rows(run.records(), reference.records())
    assert {p: p.stat().st_mtime_ns for p in finished} == stamps  # finished work was kept
    assert run.reused_inputs * 2 + run.reused_parts == len(finished)
    assert not list(out.glob("**/.tmp-*"))
    assert _part_files(out) == _part_files(reference.out)


def _entry(run, path):
    return next(e for e in run.manifest["inputs"] if Path(e["path"]).name == Path(path).name)


def test_batch_corrupt_and_truncated_inputs_are_reported_and_kept(corpus, reference, tmp_path,
                                                                  capsys):
    folder = tmp_path / "in"
    good = _copy_inputs(corpus[:1], folder)[0]
    not_gzip = folder / "not_gzip.xml.gz"
    not_gzip.write_bytes(b"this is not gzip data at all\x00\x01")
    cut_gzip = folder / "cut.xml.gz"
    cut_gzip.write_bytes(corpus[1].read_bytes()[:-40])  # gzip stream breaks off
    cut_xml = folder / "cut.xml"
    text = corpus[2].read_text()
    cut_xml.write_text(text[: text.index("</PubmedArticle>", text.index("</PubmedArticle>") + 1)
                            + 30])  # two whole articles, then the third breaks off
    inputs = [good, not_gzip, cut_gzip, cut_xml]
    with pytest.warns(BatchWarning, match="3 of 4 inputs failed"):
        run = evidextract.extract_files(inputs, out=tmp_path / "out", chunk_size=CHUNK,
                                        progress=False)
    assert not run.ok
    assert _entry(run, good)["status"] == "done"
    for bad in (not_gzip, cut_gzip, cut_xml):
        entry = _entry(run, bad)
        assert entry["status"] == "failed" and entry["error"]
    screen = capsys.readouterr().err
    for bad in (not_gzip, cut_gzip, cut_xml):
        assert f"FAILED {bad}" in screen
    failures = run.failures
    assert set(failures.loc[failures["record_id"].isna(), "input"]) == {
        str(not_gzip), str(cut_gzip), str(cut_xml)}
    # the good file is whole; the records before each break are kept
    records = run.records()
    ok = records[records["status"] == "ok"]
    expected_ids = set(reference.records()["record_id"][:PER_FILE]) | set(
        reference.records()["record_id"][2 * PER_FILE:2 * PER_FILE + 2])
    assert expected_ids <= set(ok["record_id"])
    assert {"error"} <= set(records["status"])
    # the manifest on disk says the same
    on_disk = json.loads((run.out / "manifest.json").read_text())
    assert on_disk["totals"]["failed"] == 3


def test_batch_input_disappearing_mid_run_fails_alone_and_rerun_completes(corpus, reference,
                                                                          tmp_path, monkeypatch):
    inputs = _copy_inputs(corpus, tmp_path / "in")
    saved = inputs[1].read_bytes()
    real_extract = sys.modules["evidextract.extract"].extract

    def extract_then_delete(records, **kwargs):
        if inputs[1].exists():
            inputs[1].unlink()
        return real_extract(records, **kwargs)

    monkeypatch.setattr(sys.modules["evidextract.extract"], "extract", extract_then_delete)
    with pytest.warns(BatchWarning):
        run = evidextract.extract_files(inputs, out=tmp_path / "out", chunk_size=CHUNK,
                                        progress=False)
    monkeypatch.undo()
    assert [e["status"] for e in run.manifest["inputs"]] == ["done", "failed", "done"]
    assert "No such file" in run.manifest["inputs"][1]["error"]
    inputs[1].write_bytes(saved)
    again = evidextract.extract_files(inputs, out=tmp_path / "out", chunk_size=CHUNK,
                                      progress=False)
    assert again.ok and again.reused_inputs == 2
    assert again.totals["statistics"] == reference.totals["statistics"]


def test_batch_full_disk_fails_the_input_and_keeps_finished_parts(corpus, reference, tmp_path,
                                                                 monkeypatch):
    real_write = _parts.pq.write_table
    calls = []

    def write_until_disk_full(table, where, **kwargs):
        calls.append(1)
        if len(calls) == 5:  # the third part's statistics: a few bytes, then no room
            where.write(b"PAR1 half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(table, where, **kwargs)

    monkeypatch.setattr(_parts.pq, "write_table", write_until_disk_full)
    out = tmp_path / "out"
    with pytest.warns(BatchWarning):
        run = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    failed = [e for e in run.manifest["inputs"] if e["status"] == "failed"]
    assert len(failed) == 1 and "No space left on device" in failed[0]["error"]
    assert not list(out.glob("**/.tmp-*"))  # the half-written temporary file is gone
    for path in out.glob("*/*.parquet"):
        assert _parts.read_identity(path) is not None
    monkeypatch.setattr(_parts.pq, "write_table", real_write)
    again = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    assert again.ok
    _same_rows(again.statistics(), reference.statistics())


def test_batch_ctrl_c_saves_manifest_keeps_parts_and_resumes(corpus, reference, tmp_path,
                                                             monkeypatch):
    calls = []
    real_extract = sys.modules["evidextract.extract"].extract

    def interrupted_extract(records, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real_extract(records, **kwargs)

    monkeypatch.setattr(sys.modules["evidextract.extract"], "extract", interrupted_extract)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    monkeypatch.undo()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["status"] for e in manifest["inputs"]] == ["done", "interrupted", "interrupted"]
    assert len(list((out / "records").glob("*.parquet"))) == 3  # a.xml whole, b.xml's first
    run = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    assert run.ok and run.reused_inputs == 1 and run.reused_parts == 1
    _same_rows(run.statistics(), reference.statistics())


def test_batch_parts_of_another_extractor_are_redone(corpus, reference, tmp_path):
    out = tmp_path / "out"

    def no_statistics(records):
        return evidextract.extract(records.iloc[0:0])

    first = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False,
                                      extractor=no_statistics)
    assert first.ok and first.totals["statistics"] == 0
    again = evidextract.extract_files(corpus, out=out, chunk_size=CHUNK, progress=False)
    assert again.reused_inputs == 0 and again.reused_parts == 0
    _same_rows(again.statistics(), reference.statistics())


def test_batch_errors_raise_stops_at_the_first_failed_input(corpus, tmp_path):
    bad = tmp_path / "bad.xml.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00broken")
    with pytest.raises(BatchError, match="bad.xml.gz"):
        evidextract.extract_files([corpus[0], bad, corpus[2]], out=tmp_path / "out",
                                  chunk_size=CHUNK, progress=False, errors="raise")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [e["status"] for e in manifest["inputs"]] == ["done", "failed", "failed"]
    assert "not processed" in manifest["inputs"][2]["error"]


def test_batch_record_that_breaks_the_extractor_is_marked_and_others_kept(corpus, reference,
                                                                          tmp_path):
    victim = reference.records()["record_id"][1]

    def fragile_extract(records):
        if victim in set(records["record_id"]):
            if len(records) > 1:
                raise ValueError("chunk with the victim")
            raise ValueError("cannot parse this one")
        return evidextract.extract(records)

    with pytest.warns(BatchWarning):
        run = evidextract.extract_files(corpus, out=tmp_path / "out", chunk_size=CHUNK,
                                        progress=False, extractor=fragile_extract)
    records = run.records()
    row = records[records["record_id"] == victim].iloc[0]
    assert row["status"] == "error" and "cannot parse this one" in row["message"]
    assert len(records) == 3 * PER_FILE
    expected = reference.statistics()
    expected = expected[expected["record_id"] != victim]
    _same_rows(run.statistics(), expected)


def test_batch_manifest_paths_never_leave_the_output_folder(corpus, tmp_path):
    out = tmp_path / "out"
    victim = tmp_path / "victim.parquet"
    victim.write_bytes(b"keep me")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.parquet").write_bytes(b"keep me too")
    (out / "statistics").mkdir(parents=True)
    os.symlink(outside, out / "statistics" / "link")
    hostile = {
        "format": "evidextract-batch", "version": 1, "chunk_size": CHUNK, "totals": {},
        "inputs": [{
            "key": "gone-00000000", "path": "/nowhere", "status": "done",
            "parts": [{"statistics": "../victim.parquet", "records": str(victim)},
                      {"statistics": "statistics/link/x.parquet",
                       "records": "records/../../victim.parquet"}],
        }],
    }
    (out / "manifest.json").write_text(json.dumps(hostile))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = evidextract.extract_files(corpus[:1], out=out, chunk_size=CHUNK, progress=False)
    assert run.ok
    assert victim.read_bytes() == b"keep me"
    assert (outside / "x.parquet").read_bytes() == b"keep me too"
    messages = [str(w.message) for w in caught if issubclass(w.category, BatchWarning)]
    assert sum("leaves the output folder" in m for m in messages) == 4


def test_batch_hostile_manifest_entry_for_a_current_input_is_redone(corpus, tmp_path):
    out = tmp_path / "out"
    first = evidextract.extract_files(corpus[:1], out=out, chunk_size=CHUNK, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["inputs"][0]["parts"][0]["records"] = "../../../etc/passwd"
    (out / "manifest.json").write_text(json.dumps(manifest))
    again = evidextract.extract_files(corpus[:1], out=out, chunk_size=CHUNK, progress=False)
    assert again.reused_inputs == 0 and again.ok
    assert again.manifest == first.manifest
    _same_rows(again.statistics(), first.statistics())


def test_batch_rejects_bad_arguments(corpus, tmp_path):
    with pytest.raises(ValueError, match="errors"):
        evidextract.extract_files(corpus, out=tmp_path, errors="ignore")
    with pytest.raises(ValueError, match="chunk_size"):
        evidextract.extract_files(corpus, out=tmp_path, chunk_size=0)


def test_batch_folder_input_never_reads_its_own_output(corpus, reference, tmp_path):
    folder = tmp_path / "exports"
    _copy_inputs(corpus, folder)
    (folder / ".hidden.xml").write_text("not an export")
    first = evidextract.extract_files(folder, out=folder / "stats", chunk_size=CHUNK,
                                      progress=False)
    again = evidextract.extract_files(folder, out=folder / "stats", chunk_size=CHUNK,
                                      progress=False)
    assert [Path(e["path"]).name for e in again.manifest["inputs"]] == [
        "a.xml", "b.xml.gz", "c.xml"]
    assert first.ok and again.ok and again.reused_inputs == 3
    _same_rows(again.statistics(), reference.statistics())


def test_batch_missing_input_is_reported_not_fatal(corpus, tmp_path, capsys):
    missing = tmp_path / "never_downloaded.xml.gz"
    with pytest.warns(BatchWarning, match="1 of 2 inputs failed"):
        run = evidextract.extract_files([missing, corpus[0]], out=tmp_path / "out",
                                        chunk_size=CHUNK, progress=False)
    assert [e["status"] for e in run.manifest["inputs"]] == ["failed", "done"]
    assert "cannot read input" in run.manifest["inputs"][0]["error"]
    assert f"FAILED {missing}" in capsys.readouterr().err
    with pytest.raises(BatchError, match="never_downloaded"):
        evidextract.extract_files([missing, corpus[0]], out=tmp_path / "out2",
                                  chunk_size=CHUNK, progress=False, errors="raise")
