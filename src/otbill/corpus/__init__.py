"""The scrubber's proof: claims each seeded with exactly one defect, and clean claims.

:func:`otbill.corpus.defects.cases` yields every case; the test suite checks that each seeded
defect is found with the right category on the right claim, and that no clean claim gets an
error. Every rule has at least three cases, across payers and dates; the corpus grows with the
rules.
"""
