"""What the product-management agents share about the catalog, in one place.

normalization-classification and consistency-validation both judge products against the whole
catalog: this package holds the catalog view they read (`view`: a projection of every listed product
and category, built from CatalogService and kept current from product events), the category
classifier trained on it and retrained when it changes (`classifier`, `trainer`), the content
completeness score (`completeness`, also used by product-detail-enrichment), the product record the
cores read (`records`) and the hand-off of proposals to the review queue (`proposals`).

`shared.catalog_models(deps)` gives every agent of one process the same view and the same model, so
co-hosted agents build and train once.
"""
