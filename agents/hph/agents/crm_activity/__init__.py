"""Each customer's activity, kept durably from events, for the CRM agents (profile, segments,
support briefs): their orders with lines and categories, refunds, deliveries, returns and tickets.

One projection, one shared consumer group ("crm-activity"); every CRM agent that reads it declares
the same group (a re-declaration replaces the first with an identical one), so it runs once per
platform. `projection.py` is the handler and the reads, `records.py` the plain data the decision
cores take.
"""

from hph.agents.crm_activity.projection import CONTAINER, GROUP, SOURCE, CustomerActivity
from hph.agents.crm_activity.records import Activity, OrderRecord, ReturnRecord, Stage, TicketRecord

__all__ = [
    "CONTAINER",
    "GROUP",
    "SOURCE",
    "Activity",
    "CustomerActivity",
    "OrderRecord",
    "ReturnRecord",
    "Stage",
    "TicketRecord",
]
