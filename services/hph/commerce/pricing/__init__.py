"""The pricing pipeline: gathering a cart's inputs from their owners (`sources`), the shipping and tax
tables (`tables`, data files in `data/`) and the order math (`rules.assess`).

CheckoutService quotes and validates with it and OrderService charges with it, so an estimate and the
order it becomes are priced by the same code from the same inputs.
"""
