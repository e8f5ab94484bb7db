"""Stage 1, ingest: data/raw (registry copies in every shape, release waves and records, the figures
ledger) and the corrections -> data/processed/ingest, typed Parquet in a public and a restricted
tier, every row accounted for (read = written + quarantined), checksums verified first.
"""
