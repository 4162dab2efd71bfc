"""What the CRM agents read from the commerce services at answer time, as the platform (the agent
has already checked the caller is staff): a user's account, the category names, a ticket with its
conversation, an order's shipments. Everything else comes from the activity projection."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from holidaypeak.commerce.v1 import (
    catalog_service_pb2,
    catalog_service_pb2_grpc,
    product_pb2,
    shipment_pb2,
    shipment_service_pb2,
    shipment_service_pb2_grpc,
    support_ticket_service_pb2,
    support_ticket_service_pb2_grpc,
    ticket_pb2,
    user_pb2,
    user_service_pb2,
    user_service_pb2_grpc,
)
from hph.runtime.rpc.downstream import PlatformClient, found_or_none, refusal_from

DEADLINE_SECONDS = 5.0
PAGE_SIZE = 100


class CrmPlatform(PlatformClient):
    async def user(self, user_id: str) -> user_pb2.User | None:
        """The user's account; None when the user service does not know the id."""
        stub = self._channels.stub("users", user_service_pb2_grpc.UserServiceStub)
        return await found_or_none(
            stub.GetUser(
                user_service_pb2.GetUserRequest(user_id=user_id), timeout=DEADLINE_SECONDS, metadata=self._as_platform()
            ),
            service="users",
            unconfirmed="could not confirm the user exists",
        )

    async def category_names(self) -> dict[str, str]:
        """Every active category's display name by id (a hundred at most per page)."""
        stub = self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)
        names: dict[str, str] = {}
        token = ""
        while True:
            try:
                page = await stub.ListCategories(
                    catalog_service_pb2.ListCategoriesRequest(page_size=PAGE_SIZE, page_token=token),
                    timeout=DEADLINE_SECONDS,
                    metadata=self._as_platform(),
                )
            except grpc.aio.AioRpcError as exc:
                raise refusal_from(exc, "catalog") from None
            names.update((category.id, category.name) for category in page.categories)
            token = page.next_page_token
            if not token:
                return names

    async def ticket(self, ticket_id: str) -> ticket_pb2.Ticket | None:
        """The ticket with its whole conversation (internal notes included); None when unknown."""
        stub = self._channels.stub("tickets", support_ticket_service_pb2_grpc.SupportTicketServiceStub)
        return await found_or_none(
            stub.GetAnyTicket(
                support_ticket_service_pb2.GetAnyTicketRequest(ticket_id=ticket_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
            service="tickets",
            unconfirmed="could not read the ticket",
        )

    async def shipments(self, order_ids: Sequence[str]) -> list[shipment_pb2.Shipment]:
        """The shipments of these orders, newest first per order."""
        stub = self._channels.stub("shipments", shipment_service_pb2_grpc.ShipmentServiceStub)
        found: list[shipment_pb2.Shipment] = []
        for order_id in order_ids:
            try:
                page = await stub.ListShipments(
                    shipment_service_pb2.ListShipmentsRequest(order_id=order_id, page_size=PAGE_SIZE),
                    timeout=DEADLINE_SECONDS,
                    metadata=self._as_platform(),
                )
            except grpc.aio.AioRpcError as exc:
                raise refusal_from(exc, "shipments") from None
            found.extend(page.shipments)
        return found

    async def products_in(self, category_id: str, *, most: int = 200) -> list[product_pb2.Product]:
        """Active products of a category and its descendants, by name (up to `most`)."""
        stub = self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)
        found: list[product_pb2.Product] = []
        token = ""
        while len(found) < most:
            try:
                page = await stub.ListProducts(
                    catalog_service_pb2.ListProductsRequest(category=category_id, limit=PAGE_SIZE, page_token=token),
                    timeout=DEADLINE_SECONDS,
                    metadata=self._as_platform(),
                )
            except grpc.aio.AioRpcError as exc:
                raise refusal_from(exc, "catalog") from None
            found.extend(page.products)
            token = page.next_page_token
            if not token:
                break
        return found[:most]
