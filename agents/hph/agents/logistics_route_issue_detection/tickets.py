"""Opening a support ticket for a HIGH or CRITICAL issue, as the platform, exactly once.

The agent's own consumer group reads its ShipmentIssueRaised events (at least once) and calls
SupportTicketService.CreateTicket with the platform's credentials and a `request_id` derived from the
issue id alone, so a retry, a redelivery, a severity raised again or a second sweep replays the
ticket already created instead of opening another. The ticket id is then kept on the issue document
(a redelivery after that does not even call). A ticket is owned by the platform (its orders are not
the platform's own, so the order id travels in the subject and body) and staff see it in their queue
(ListAllTickets), raised to high (urgent for critical) priority.
"""

from __future__ import annotations

import hashlib
import logging

import grpc

from holidaypeak.commerce.v1 import support_ticket_service_pb2 as tickets_pb
from holidaypeak.commerce.v1 import support_ticket_service_pb2_grpc as tickets_grpc
from holidaypeak.commerce.v1 import ticket_pb2
from hph.runtime.errors import Unavailable
from hph.runtime.rpc.downstream import PlatformClient

log = logging.getLogger("hph.agents.logistics_route_issue_detection")

DEADLINE_SECONDS = 5.0
PRIORITY = {"high": ticket_pb2.TICKET_PRIORITY_HIGH, "critical": ticket_pb2.TICKET_PRIORITY_URGENT}


def ticket_request_id(issue_id: str) -> str:
    """The idempotency key of an issue's ticket: the same issue never opens two tickets."""
    return "route-issue-" + hashlib.sha256(issue_id.encode()).hexdigest()[:40]


class IssueTickets(PlatformClient):
    async def open(
        self, *, issue_id: str, shipment_id: str, order_id: str, severity: str, message: str, action: str
    ) -> str:
        """Opens (or finds again) the issue's ticket; its id."""
        stub = self._channels.stub("tickets", tickets_grpc.SupportTicketServiceStub)
        subject = f"Shipment {shipment_id} of order {order_id}: {message}"[:200]
        body = (
            f"Raised by logistics-route-issue-detection ({severity}).\n"
            f"Issue {issue_id}: {message}.\nSuggested action: {action}.\n"
            f"Shipment {shipment_id}, order {order_id}."
        )
        key = ticket_request_id(issue_id)
        try:
            ticket = await stub.CreateTicket(
                tickets_pb.CreateTicketRequest(
                    subject=subject, body=body, category=ticket_pb2.TICKET_CATEGORY_SHIPPING, request_id=key
                ),
                metadata=self._as_platform(),
                timeout=DEADLINE_SECONDS,
            )
            priority = PRIORITY.get(severity)
            if priority is not None and ticket.priority != priority:
                await stub.UpdateTicket(
                    tickets_pb.UpdateTicketRequest(
                        ticket_id=ticket.id, priority=priority, request_id=f"{key}-p{priority}"
                    ),
                    metadata=self._as_platform(),
                    timeout=DEADLINE_SECONDS,
                )
        except grpc.aio.AioRpcError as exc:
            # Left to the consumer's retries (then its dead letters): the key keeps a retry single.
            raise Unavailable(
                f"tickets could not open the issue's ticket ({exc.code().name}): {exc.details()}"
            ) from None
        log.info("route issue ticket", extra={"issue_id": issue_id, "ticket_id": ticket.id})
        return str(ticket.id)
