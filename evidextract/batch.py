"""Batch extraction over many files, on several processes, resumable."""


def extract_files(inputs, out, n_process=1, **kwargs):  # placeholder until issue 6 lands
    raise NotImplementedError("evidextract.extract_files lands with issue 6")
