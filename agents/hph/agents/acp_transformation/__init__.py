"""Agent 7, acp-transformation: catalog products as Agentic Commerce Protocol product feed items.

Modules: `spec` (the item, availability from live stock, the spec's required fields validated with
reasons, the JSON Lines row; pure), `records` (the feed document per product and its monotone
merges; pure), `projection` (container `acp_feed`, kept by the shared group "acp-transformation"
from product and inventory events, plus a backfill from the services), `servicer` (ToAcpItem from
live reads, ExportFeed and ExportFeedLines from the projection).
"""
