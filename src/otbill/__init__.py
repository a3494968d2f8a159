"""otbill: billing engine for outpatient occupational, physical and speech therapy."""

__version__ = "0.1.0"
