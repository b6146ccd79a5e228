"""evidextract.dask: the partition function on a LocalCluster equals one process."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

import evidextract
from evidextract._batch._pubmed_xml import write_pubmed_xml
from evidextract.dask import (
    extract_dask,
    extract_partition,
    extract_records,
    read_pubmed,
    records_meta,
    statistics_meta,
)


@pytest.fixture(scope="module")
def files(shared_dir, tmp_path_factory):
    rows = []
    with gzip.open(shared_dir / "bench" / "abstracts.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if "95%" in (row.get("abstract") or "") and len(row["abstract"]) < 2000:
                rows.append({"pmid": str(93_000_000 + len(rows)), "title": row["title"],
                             "abstract": row["abstract"]})
                if len(rows) == 6:
                    break
    folder = tmp_path_factory.mktemp("dask")
    paths = [folder / f"part{n}.xml.gz" for n in range(3)]
    for n, path in enumerate(paths):
        write_pubmed_xml(rows[2 * n:2 * n + 2], path)
    return paths


@pytest.fixture(scope="module")
def single_process(files, tmp_path_factory):
    run = evidextract.extract_files(files, out=tmp_path_factory.mktemp("one"), chunk_size=2,
                                    progress=False)
    return run.statistics()


def _rows(frame):
    frame = frame.reset_index(drop=True)
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def test_dask_extract_partition_returns_meta_columns_and_dtypes(files):
    records = evidextract.read(files[0])
    stats = extract_partition(records)
    meta = statistics_meta()
    assert list(stats.columns) == list(meta.columns)
    assert stats.dtypes.to_dict() == meta.dtypes.to_dict()
    assert list(stats.index) == list(range(len(stats)))
    assert _rows(stats) == _rows(evidextract.extract(records).reindex(columns=meta.columns))


def test_dask_read_pubmed_one_partition_a_file(files):
    ddf = read_pubmed(files)
    assert ddf.npartitions == 3
    assert list(ddf.columns) == list(records_meta().columns)
    first = ddf.get_partition(1).compute()
    assert list(first["record_id"]) == ["93000002", "93000003"]


def test_dask_local_cluster_equals_single_process(files, single_process):
    distributed = pytest.importorskip("distributed")
    import dask.bag as db

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        stats = extract_dask(files).compute()
        records = pd.concat([evidextract.read(p) for p in files], ignore_index=True)
        rows = records[["record_id", "abstract"]].to_dict(orient="records")
        bag = db.from_sequence(rows, npartitions=2).map_partitions(extract_records)
        from_bag = bag.to_dataframe(meta=statistics_meta()).compute()
        workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
    assert len(workers) == 2
    assert len(stats) == len(single_process) > 0
    assert _rows(stats) == _rows(single_process)
    assert _rows(from_bag) == _rows(single_process)
