"""The SYNTHETIC registry sample: generated people, calibrated to real published figures.

Nothing in the sample describes a real person. `generate_sample` writes six monthly snapshots of
the list (in the three shapes real copies come in) and person-level release records into
data/raw, each with metadata.yaml saying `synthetic: true`.
"""

from analysis.synthetic.config import DEFAULT_SEED
from analysis.synthetic.person import Person
from analysis.synthetic.population import Population, build_population
from analysis.synthetic.writers import generate_sample

__all__ = ["DEFAULT_SEED", "Population", "Person", "build_population", "generate_sample"]
