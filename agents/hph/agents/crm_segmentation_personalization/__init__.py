"""Agent 11, crm-segmentation-personalization: RFM segments of the customer base and personal
recommendations.

`rfm.py` the segmentation (quintiles, segment rules, movement, stability; pure), `runs.py` the runs
kept in memory, `personalize.py` the recommendations (pure), `servicer.py` the RPCs; segment stability on the demo
history's plan is hph.host.history.segments_eval (`hph eval segments`).
docs/agents/crm-segmentation-personalization.md says what it decides.
"""
