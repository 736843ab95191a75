"""`pytest --hypothesis-profile=planted` generates without shrinking: the planted-bug script
(scripts/planted_bugs.py) only asks whether a test fails, and shrinking a store case can take
minutes."""

from hypothesis import Phase, settings

settings.register_profile("planted", phases=[Phase.explicit, Phase.reuse, Phase.generate])
