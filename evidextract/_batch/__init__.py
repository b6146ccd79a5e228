"""Machinery behind :func:`evidextract.extract_files`: manifest, parts and workers."""
