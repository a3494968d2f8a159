"""Paper forms: the CMS-1500 (02/12) claim form."""
