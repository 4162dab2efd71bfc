"""Agent 21, logistics-route-issue-detection: watches parcels in transit (no scan for too long for the
service level, ETA passed, exception scans, stuck at a hub), raises each issue as a deduplicated
ShipmentIssueRaised event and opens a support ticket for high severity. See
docs/agents/logistics-route-issue-detection.md."""
