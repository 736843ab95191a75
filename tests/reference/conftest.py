"""Hypothesis profiles for the reference tests.

- `planted` generates without shrinking: scripts/planted_bugs.py only asks whether a test
  fails, and shrinking a store case can take minutes.
- `mutation` also runs a tenth of the examples: scripts/mutation.py runs the tests once per
  mutant.
Each test asks for its number of examples through `cases.examples`, which scales it by the
profile's `max_examples` (100 by default, so the default profile runs the number asked for).
"""

from hypothesis import Phase, settings

WITHOUT_SHRINKING = [Phase.explicit, Phase.reuse, Phase.generate]
settings.register_profile("planted", phases=WITHOUT_SHRINKING)
settings.register_profile("mutation", phases=WITHOUT_SHRINKING, max_examples=10, derandomize=True)
