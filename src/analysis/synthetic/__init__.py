"""The SYNTHETIC registry sample: generated people, calibrated to real published figures.

Nothing in the sample describes a real person. `generate_sample` writes six monthly snapshots of
the list (in the three shapes real copies come in) and person-level release records into
data/raw, each with metadata.yaml saying `synthetic: true`.
"""

from .config import DEFAULT_SEED
from .population import Population, Person, build_population

__all__ = ["DEFAULT_SEED", "Population", "Person", "build_population", "generate_sample"]


def generate_sample(*args, **kwargs):
    from .writers import generate_sample as _generate

    return _generate(*args, **kwargs)


generate_sample.__doc__ = "See analysis.synthetic.writers.generate_sample."
