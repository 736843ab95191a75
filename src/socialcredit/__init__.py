"""socialcredit: a rule-of-law social credit information registry."""

__version__ = "0.1.0"
