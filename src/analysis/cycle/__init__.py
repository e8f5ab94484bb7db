"""The report cycle that runs the stages: the ordered step list, analysis run (notebooks through
Papermill in shared kernels), backfill, reproduce, content keys, project init.
"""
