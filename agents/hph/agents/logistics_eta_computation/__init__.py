"""Agent logistics-eta-computation: when a parcel arrives, with a confidence window.

`tables` loads the rules (data files, plus the carriers' transit days from the shipments service's
carriers.json), `core` is the pure estimate, `projection` keeps shipments, paid orders and the
carriers' deliveries from events, and `servicer` answers ComputeEta.
"""
