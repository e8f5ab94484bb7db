"""Foundations every stage uses: where things live (paths), reporting periods, errors, the declared
schemas and vocabularies, deterministic Parquet, strict reading of hand-kept files, text folding for
the leak scan, and write-audit-publish staging with fault checkpoints. Reads and writes nothing of
its own.
"""
