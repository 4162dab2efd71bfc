"""AcpTransformationService over gRPC: one product's feed item from live catalog and inventory
reads (ToAcpItem), and the feed from the projection kept current from events, as pages of entries
(ExportFeed) or as JSON Lines in the spec's own form (ExportFeedLines)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import grpc
from google.api import httpbody_pb2

from holidaypeak.agents.v1 import acp_transformation_service_pb2 as pb
from holidaypeak.agents.v1 import acp_transformation_service_pb2_grpc as pb_grpc
from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.commerce.v1 import product_pb2
from hph.agents.acp_transformation import records, spec
from hph.agents.acp_transformation.projection import CONTAINER, SOURCE, Backfill, FeedProjection
from hph.agents.catalog_search.sources import CategoryInfo, ServiceReader, category_info, category_path
from hph.agents.inventory_reservation_validation.policy import load_policy
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.paging import offset_token, query_digest, token_offset
from hph.commerce.clients import CatalogClient, InventoryClient
from hph.commerce.identifiers import PRODUCT_ID, PRODUCT_ID_HINT
from hph.runtime import validation
from hph.runtime.clock import Clock, from_iso
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.money import to_major, to_minor
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.downstream import refusal_from
from hph.runtime.server import ServiceBinding
from hph.runtime.settings import Settings

CONTAINERS = (CONTAINER,)
AGENT = "acp-transformation"
DEFAULT_PAGE, MAX_PAGE = 100, 1000
JSON_LINES = "application/jsonl"
LIVE_SOURCES = ("rpc:CatalogService.GetProduct", "rpc:InventoryService.GetInventoryItem")
CATEGORY_SOURCE = "rpc:CatalogService.ListCategories"
AVAILABILITY_TO_PB = {
    spec.IN_STOCK: pb.ACP_AVAILABILITY_IN_STOCK,
    spec.OUT_OF_STOCK: pb.ACP_AVAILABILITY_OUT_OF_STOCK,
    spec.PREORDER: pb.ACP_AVAILABILITY_PREORDER,
}
SEVERITY_TO_PB = {spec.ERROR: agent_types_pb2.SEVERITY_HIGH, spec.WARNING: agent_types_pb2.SEVERITY_LOW}


async def backfill_from_services(feed: FeedProjection, reader: ServiceReader, inventory: InventoryClient) -> int:
    """Merges the catalog's products and inventory's stock records (read as the platform) into the
    feed; returns how many documents changed."""
    products = [p async for p in reader.every_product(include_archived=True)]
    return await feed.backfill(products, await inventory.items())


def backorder_skus(settings: Settings) -> frozenset[str]:
    """The SKUs that take orders while out of stock: the reservation policy's backorder terms (the
    same data inventory-reservation-validation offers backorders from)."""
    policy = load_policy(settings.reservation_policy_path, settings.reservation_peak_window)
    return frozenset(sku for sku, rule in policy.skus.items() if rule.backorder_restock_days is not None)


def seller_of(settings: Settings) -> spec.Seller:
    """The store's seller terms: from settings, the return window the returns service enforces
    (HPH_RETURN_WINDOW_DAYS, hph.commerce.returns_policy)."""
    url = settings.store_public_url.rstrip("/")
    return spec.Seller(
        name=settings.store_seller_name.strip(),
        url=url,
        return_policy=settings.store_return_policy_url or (f"{url}/returns-policy" if url else ""),
        return_window_days=settings.return_window_days,
        store_country=settings.store_country.strip().upper(),
        target_countries=tuple(c.strip().upper() for c in settings.store_target_countries.split(",") if c.strip()),
    )


class AcpTransformationServicer(pb_grpc.AcpTransformationServiceServicer):
    def __init__(
        self,
        feed: FeedProjection,
        reader: ServiceReader,
        catalog: CatalogClient,
        inventory: InventoryClient,
        seller: spec.Seller,
        clock: Clock,
        *,
        backorders: frozenset[str] = frozenset(),
        narrator: Narrator | None = None,
    ) -> None:
        self._feed = feed
        self._reader = reader
        self._catalog = catalog
        self._inventory = inventory
        self._seller = seller
        self._clock = clock
        self._backorders = backorders
        self._narrator = narrator or Narrator.off()

    async def ToAcpItem(self, request: pb.ToAcpItemRequest, context: Any) -> pb.ToAcpItemResponse:
        violations = Violations()
        validation.identifier(violations, "product_id", request.product_id, PRODUCT_ID, PRODUCT_ID_HINT)
        violations.raise_if_any()
        found = await self._catalog.products([request.product_id])
        product = found.get(request.product_id)
        if product is None:
            raise NotFound(f"product {request.product_id!r} not found")
        stock = await self._inventory.item(request.product_id)
        categories = await self._categories()
        approved = spec.Product(
            product_id=product.id,
            title=product.name,
            description=product.description,
            brand=product.brand,
            category_path=_path(product.category_id, categories),
            image_url=product.image_url,
            price_minor=to_minor(product.price, product.currency_code),
            currency_code=product.currency_code,
            active=product.status != product_pb2.PRODUCT_STATUS_ARCHIVED,
        )
        backorder = request.product_id in self._backorders
        live = spec.Stock(stock.quantity_available, backorder) if stock is not None else None
        result = spec.entry(approved, live, self._seller)
        now = self._clock()
        response = pb.ToAcpItemResponse(
            entry=_entry(result),
            spec_version=spec.SPEC_VERSION,
            explanation=explanation(
                _item_summary(result),
                _item_drivers(result),
                method=f"{spec.METHOD}+{spec.SPEC_VERSION}",
                freshness=data_freshness(now, sources=[*LIVE_SOURCES, CATEGORY_SOURCE]),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="feed item")
        return response

    async def ExportFeed(self, request: pb.ExportFeedRequest, context: Any) -> pb.ExportFeedResponse:
        violations = Violations()
        size = _page_size(violations, request.page_size)
        digest = query_digest([request.include_invalid, request.page_size])
        offset = 0
        token = validation.page_token(violations, "page_token", request.page_token)
        if token is not None:
            decoded = token_offset(token, digest)
            violations.check(
                decoded is not None,
                "page_token",
                "is not a token of this query; keep the other parameters as they were",
            )
            offset = decoded or 0
        violations.raise_if_any()
        entries, as_of = await self._entries()
        valid = sum(1 for e in entries if e.valid)
        chosen = entries if request.include_invalid else [e for e in entries if e.valid]
        page = chosen[offset : offset + size]
        following = offset + size if offset + size < len(chosen) else None
        now = self._clock()
        summary = f"{valid} of {len(entries)} item(s) pass the feed's required fields; {len(entries) - valid} fail"
        response = pb.ExportFeedResponse(
            entries=[_entry(e) for e in page],
            next_page_token=offset_token(following, digest) if following is not None else "",
            valid_items=valid,
            invalid_items=len(entries) - valid,
            spec_version=spec.SPEC_VERSION,
            explanation=explanation(
                summary,
                _feed_drivers(entries),
                method=f"{spec.METHOD}+{spec.SPEC_VERSION}",
                freshness=data_freshness(now, data_as_of=as_of, sources=[SOURCE, CATEGORY_SOURCE]),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="product feed")
        return response

    async def ExportFeedLines(self, request: pb.ExportFeedLinesRequest, context: Any) -> httpbody_pb2.HttpBody:
        violations = Violations()
        size = _page_size(violations, request.page_size)
        if request.start_after:
            validation.identifier(violations, "start_after", request.start_after, PRODUCT_ID, PRODUCT_ID_HINT)
        violations.raise_if_any()
        entries, _ = await self._entries()
        chosen = [
            e
            for e in entries
            if (request.include_invalid or e.valid)
            and (not request.start_after or e.item.item_id > request.start_after)
        ][:size]
        lines = "".join(json.dumps(spec.spec_row(e.item), ensure_ascii=False) + "\n" for e in chosen)
        return httpbody_pb2.HttpBody(content_type=JSON_LINES, data=lines.encode())

    async def _entries(self) -> tuple[list[spec.Entry], datetime | None]:
        """Every feed entry of the projection, ordered by item id, and the newest change it reflects."""
        docs = await self._feed.every()
        categories = await self._categories()
        entries = [_doc_entry(doc, categories, self._seller, self._backorders) for doc in docs if records.complete(doc)]
        newest = max((records.data_as_of(doc) for doc in docs), default="")
        return entries, from_iso(newest) if newest else None

    async def _categories(self) -> dict[str, CategoryInfo]:
        try:
            return {c.id: category_info(c) async for c in self._reader.categories()}
        except grpc.aio.AioRpcError as exc:
            raise refusal_from(exc, "catalog") from None


def _page_size(violations: Violations, value: int) -> int:
    if value == 0:
        return DEFAULT_PAGE
    violations.check(1 <= value <= MAX_PAGE, "page_size", f"must be between 1 and {MAX_PAGE}")
    return value


def _path(category_id: str, categories: Mapping[str, CategoryInfo]) -> str:
    _, names = category_path(category_id, categories)
    return spec.CATEGORY_SEPARATOR.join(reversed(names))


def _doc_entry(
    doc: records.Doc, categories: Mapping[str, CategoryInfo], seller: spec.Seller, backorders: frozenset[str]
) -> spec.Entry:
    values = doc["product"]
    stock = doc.get("stock")
    product = spec.Product(
        product_id=str(doc["item_id"]),
        title=str(values["name"]),
        description=str(values["description"]),
        brand=str(values["brand"]),
        category_path=_path(str(values["category_id"]), categories),
        image_url=str(values["image_url"]),
        price_minor=int(values["price_minor"]),
        currency_code=str(values["currency_code"]),
        active=records.active(doc),
    )
    live = spec.Stock(int(stock["available"]), product.product_id in backorders) if stock else None
    return spec.entry(product, live, seller)


def _entry(entry: spec.Entry) -> pb.AcpFeedEntry:
    item = entry.item
    return pb.AcpFeedEntry(
        item=pb.AcpFeedItem(
            item_id=item.item_id,
            title=item.title,
            description=item.description,
            url=item.url,
            brand=item.brand,
            product_category=item.product_category,
            image_url=item.image_url,
            price=agent_types_pb2.Money(
                currency_code=item.currency_code,
                amount_minor=item.price_minor,
                amount=to_major(item.price_minor, item.currency_code) if item.currency_code else 0.0,
            ),
            availability=AVAILABILITY_TO_PB[item.availability],
            inventory_quantity=item.inventory_quantity,
            is_eligible_search=item.is_eligible_search,
            is_eligible_checkout=item.is_eligible_checkout,
            seller_name=item.seller.name,
            seller_url=item.seller.url,
            return_policy=item.seller.return_policy,
            return_window_days=item.seller.return_window_days,
            store_country=item.seller.store_country,
            target_countries=list(item.seller.target_countries),
        ),
        valid=entry.valid,
        issues=[
            pb.AcpFieldIssue(field=i.field, reason=i.reason, severity=SEVERITY_TO_PB[i.severity]) for i in entry.issues
        ],
    )


def _item_summary(entry: spec.Entry) -> str:
    errors = [i for i in entry.issues if i.severity == spec.ERROR]
    if errors:
        return f"{entry.item.item_id} is kept out of the feed: " + "; ".join(f"{i.field} {i.reason}" for i in errors)
    return f"{entry.item.item_id} is in the feed ({entry.item.availability}, {entry.item.inventory_quantity} available)"


def _item_drivers(entry: spec.Entry) -> list[Driver]:
    item = entry.item
    errors = sum(1 for i in entry.issues if i.severity == spec.ERROR)
    return [
        Driver(
            "price",
            item.price_minor,
            f"live catalog price {spec.price_text(item.price_minor, item.currency_code)}",
            unit="minor units",
        ),
        Driver(
            "inventory_quantity",
            item.inventory_quantity,
            f"live stock: {item.inventory_quantity} available -> {item.availability}",
            threshold=1,
            unit="units",
        ),
        Driver("required_field_errors", errors, f"{errors} required field(s) missing or malformed", threshold=0),
        Driver("warnings", len(entry.issues) - errors, f"{len(entry.issues) - errors} warning(s) that do not block"),
    ]


def _feed_drivers(entries: Sequence[spec.Entry]) -> list[Driver]:
    by_field: dict[str, int] = {}
    for e in entries:
        for issue in {i.field for i in e.issues if i.severity == spec.ERROR}:
            by_field[issue] = by_field.get(issue, 0) + 1
    drivers = [
        Driver(f"missing_{name}", count, f"{count} item(s) fail on {name}", unit="items")
        for name, count in sorted(by_field.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    in_stock = sum(1 for e in entries if e.item.availability == spec.IN_STOCK)
    drivers.append(Driver("in_stock", in_stock, f"{in_stock} of {len(entries)} item(s) in stock", unit="items"))
    return drivers


async def create_binding(deps: Dependencies) -> ServiceBinding:
    feed = await FeedProjection.open(deps.store)
    feed.follow(deps.bus)
    reader = ServiceReader(deps.channels, deps.service_credentials)
    inventory = InventoryClient(deps.channels, deps.service_credentials)

    if deps.bus is not None:  # only where the group's documents are kept (not a read-only test host)
        deps.background.append(Backfill(lambda: backfill_from_services(feed, reader, inventory)))
    servicer = AcpTransformationServicer(
        feed,
        reader,
        CatalogClient(deps.channels),
        inventory,
        seller_of(deps.settings),
        deps.clock,
        backorders=backorder_skus(deps.settings),
        narrator=deps.narrator,
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["AcpTransformationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_AcpTransformationServiceServicer_to_server(servicer, server),
    )
