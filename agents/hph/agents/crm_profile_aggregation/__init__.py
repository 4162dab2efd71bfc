"""Agent 10, crm-profile-aggregation: the 360 view of a customer for staff.

`profile.py` is the decision core (figures and the engagement score with its drivers, pure);
`servicer.py` reads the shared crm-activity projection (hph.agents.crm_activity), the account and
the category names, and answers GetProfile. docs/agents/crm-profile-aggregation.md says what it
decides and from what data.
"""
