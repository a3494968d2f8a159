"""The claim scrubber: one registry of rules, each a plain function over a claim in context.

Import :mod:`otbill.rules.catalog` to register every rule; :func:`otbill.rules.engine.check`
runs them.
"""
