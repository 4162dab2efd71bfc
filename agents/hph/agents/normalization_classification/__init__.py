"""Agent normalization-classification: title, brand and unit normalisation, attribute extraction and
the category classifier (docs/agents/normalization-classification.md)."""
