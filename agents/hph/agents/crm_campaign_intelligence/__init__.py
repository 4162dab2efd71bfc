"""Agent 12, crm-campaign-intelligence: funnel, attributed revenue, ROI and budget advice per
campaign code carried on orders.

`performance.py` the decision core (pure) with the spend data (data/campaign_spend.json),
`servicer.py` the RPC over the shared crm-activity projection. docs/agents/crm-campaign-intelligence.md
says what it decides and from what data.
"""
