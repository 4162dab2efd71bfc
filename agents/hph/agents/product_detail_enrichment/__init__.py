"""Agent product-detail-enrichment: what a product page shows beyond the catalog record (rating
summary, review highlights, stock, bought together, similar products, content completeness)."""
