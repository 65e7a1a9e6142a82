"""Reading files into typed records: YAML and BibTeX parsing, models, the file policy, canonical text."""
