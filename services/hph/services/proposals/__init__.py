"""The product-truth review queue (ProductProposalService)."""
