"""CatalogService over gRPC: decodes requests, checks them, and reads/writes catalog documents.

Storage: `products` (pk /product_id, a field equal to the id: the container also holds the products'
outbox records, whose ids differ from the product's) and `categories` (pk /id). Every product write
commits its event (ProductCreated/ProductUpdated/ProductArchived) in the same batch; product queries
exclude the outbox records with NOT_OUTBOX.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from holidaypeak.commerce.v1 import (
    catalog_service_pb2 as pb,
)
from holidaypeak.commerce.v1 import (
    catalog_service_pb2_grpc as pb_grpc,
)
from holidaypeak.commerce.v1 import (
    category_pb2,
    product_pb2,
)
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.commerce.identifiers import PRODUCT_ID, PRODUCT_ID_HINT
from hph.runtime import clock as clocks
from hph.runtime import money, validation
from hph.runtime.cache import HotCache
from hph.runtime.consumers import ConsumerGroup, Delivery, Subscription
from hph.runtime.deps import Dependencies
from hph.runtime.documents import Mutation, read_or_not_found, update_document
from hph.runtime.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, Violations
from hph.runtime.events import NOT_OUTBOX, OUTBOX_ID_PREFIX, outbox_op
from hph.runtime.redis_cache import proto_codec
from hph.runtime.rpc.call_context import current_call
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import (
    And,
    BatchError,
    ConflictError,
    Container,
    ContainerSpec,
    Contains,
    CreateOp,
    Document,
    Eq,
    In,
    NotFoundError,
    OrderBy,
    Query,
    Term,
)
from hph.services.catalog import product_events, rules, search_agent, stock_listener

PRODUCTS, CATEGORIES = "products", "categories"
# Products are partitioned by a copy of their id: `outbox_op` needs a partition key field that its
# records (ids "outbox-...") can carry with the product's value.
PRODUCT_PARTITION_KEY = "/product_id"
CATEGORY_PARTITION_KEY = "/id"
# What this service keeps (the host creates these; the relay serves the products' outbox).
CONTAINERS = (
    ContainerSpec(PRODUCTS, PRODUCT_PARTITION_KEY, outbox=True),
    ContainerSpec(CATEGORIES, CATEGORY_PARTITION_KEY),
)
BY_NAME = (OrderBy("name"),)
# The per-replica consumer group that drops cached products other hosts changed (shared caches only).
CACHE_GROUP = "catalog-cache"
PRODUCT_TOPIC = "product-events"
MAX_CATEGORIES = 1000

_PRODUCT_STATUS = {
    rules.ACTIVE: product_pb2.PRODUCT_STATUS_ACTIVE,
    rules.ARCHIVED: product_pb2.PRODUCT_STATUS_ARCHIVED,
}
_CATEGORY_STATUS = {
    rules.ACTIVE: category_pb2.CATEGORY_STATUS_ACTIVE,
    rules.ARCHIVED: category_pb2.CATEGORY_STATUS_ARCHIVED,
}


def product_message(doc: Document) -> product_pb2.Product:
    return product_pb2.Product(
        id=doc["id"],
        name=doc["name"],
        description=doc.get("description", ""),
        price=money.to_major(doc["price_minor"], doc["currency_code"]),
        currency_code=doc["currency_code"],
        category_id=doc["category_id"],
        image_url=doc.get("image_url", ""),
        in_stock=bool(doc.get("in_stock", False)),
        brand=doc.get("brand", ""),
        tags=doc.get("tags", []),
        attributes=doc.get("attributes", {}),
        status=_PRODUCT_STATUS[doc["status"]],
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", ""),
    )


def category_message(doc: Document) -> category_pb2.Category:
    return category_pb2.Category(
        id=doc["id"],
        name=doc["name"],
        description=doc.get("description", ""),
        parent_id=doc.get("parent_id", ""),
        image_url=doc.get("image_url", ""),
        status=_CATEGORY_STATUS[doc["status"]],
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", ""),
    )


def product_document(fields: dict[str, Any]) -> Document:
    """Completes a product document with its partition key field and derived search text."""
    fields["product_id"] = fields["id"]
    fields["search_text"] = rules.search_text(
        fields["name"], fields.get("description", ""), fields.get("brand", ""), fields.get("tags", [])
    )
    return fields


def _check_product_id(violations: Violations, product_id: str) -> None:
    validation.identifier(violations, "product_id", product_id, PRODUCT_ID, PRODUCT_ID_HINT)


def _check_category_id(violations: Violations, field: str, category_id: str) -> None:
    validation.identifier(violations, field, category_id, rules.CATEGORY_ID, "must be 2..64 of a-z, 0-9 and '-'")


class CatalogServicer(pb_grpc.CatalogServiceServicer):
    def __init__(self, deps: Dependencies, products: Container, categories: Container) -> None:
        self._deps = deps
        self._products = products
        # Hot tier for the peak's read storm (this process's, or shared in Redis: HPH_HOT_CACHE); our
        # own writes drop what they change, product events what other hosts changed, the TTL the rest.
        ttl = deps.settings.catalog_cache_seconds
        self._hot_products: HotCache[product_pb2.Product] = deps.caches.open(
            "catalog-products", proto_codec(product_pb2.Product), ttl_seconds=ttl
        )
        self._hot_pages: HotCache[pb.ListProductsResponse] = deps.caches.open(
            "catalog-pages", proto_codec(pb.ListProductsResponse), ttl_seconds=ttl, max_entries=2_000
        )
        self._categories = categories
        self._search_agent = search_agent.SearchAgent(deps)

    # --- products -------------------------------------------------------------------------

    async def ListProducts(self, request: pb.ListProductsRequest, context: Any) -> pb.ListProductsResponse:
        violations = Violations()
        limit = validation.page_size(violations, "limit", request.limit)
        token = validation.page_token(violations, "page_token", request.page_token)
        rules.check_search(violations, request.search)
        if request.category:
            _check_category_id(violations, "category", request.category)
        violations.raise_if_any()
        if not request.search.strip():
            return await self._cached_page(request, limit, token)
        ranked = await self._search_agent.ranked(request.search, request.category, limit, request.page_token)
        if ranked is not None:
            return pb.ListProductsResponse(
                products=await self._products_in_order(ranked.product_ids), next_page_token=ranked.next_page_token
            )
        # The agent did not answer: our own word matching, flagged; an agent page token starts over.
        if search_agent.resumes_agent_page(request.page_token):
            request = pb.ListProductsRequest(search=request.search, category=request.category, limit=request.limit)
            token = None
        flagged = pb.ListProductsResponse()
        flagged.CopyFrom(await self._cached_page(request, limit, token))
        flagged.search_fallback = True
        return flagged

    async def _cached_page(
        self, request: pb.ListProductsRequest, limit: int, token: str | None
    ) -> pb.ListProductsResponse:
        return await self._hot_pages.get_or_load(
            request.SerializeToString(deterministic=True), lambda: self._list_products(request, limit, token)
        )

    async def _products_in_order(self, product_ids: list[str]) -> list[product_pb2.Product]:
        """The active products among `product_ids`, in that order (one archived since the agent's last
        event is left out)."""
        # A ranked page is read at every search: the hot products are taken as they are, and only
        # the misses are loaded, concurrently (a task per product costs more than the read of a hit).
        found: list[product_pb2.Product | None] = [
            self._hot_products.fresh(pid, self._product_loader(pid)) for pid in product_ids
        ]
        missing = [i for i, product in enumerate(found) if product is None]
        if missing:
            loaded = await asyncio.gather(*(self._hot_product(product_ids[i]) for i in missing))
            for i, product in zip(missing, loaded, strict=True):
                found[i] = product
        return [p for p in found if p is not None and p.status == product_pb2.PRODUCT_STATUS_ACTIVE]

    def _product_loader(self, product_id: str) -> Callable[[], Awaitable[product_pb2.Product]]:
        return lambda: self._read_product(product_id)

    async def _hot_product(self, product_id: str) -> product_pb2.Product | None:
        try:
            return await self._hot_products.get_or_load(product_id, self._product_loader(product_id))
        except NotFound:
            return None

    async def _list_products(
        self, request: pb.ListProductsRequest, limit: int, token: str | None
    ) -> pb.ListProductsResponse:
        terms: list[Term] = [Eq("status", rules.ACTIVE)]
        terms += [Contains("search_text", word) for word in rules.search_words(request.search)]
        if request.category:
            parents = await self._category_parents()
            terms.append(In("category_id", sorted(rules.descendants(request.category, parents))))
        page = await self._products.query(
            Query(where=And(*terms, NOT_OUTBOX), order_by=BY_NAME), max_items=limit, continuation=token
        )
        return pb.ListProductsResponse(
            products=[product_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetProduct(self, request: pb.GetProductRequest, context: Any) -> product_pb2.Product:
        violations = Violations()
        _check_product_id(violations, request.product_id)
        violations.raise_if_any()
        return await self._hot_products.get_or_load(request.product_id, lambda: self._read_product(request.product_id))

    async def _read_product(self, product_id: str) -> product_pb2.Product:
        return product_message(await read_or_not_found(self._products, product_id, product_id, "product"))

    async def CreateProduct(self, request: pb.CreateProductRequest, context: Any) -> product_pb2.Product:
        violations = Violations()
        if request.product_id:
            _check_product_id(violations, request.product_id)
            violations.check(
                not request.product_id.startswith(OUTBOX_ID_PREFIX),
                "product_id",
                f"must not start with {OUTBOX_ID_PREFIX!r}",
            )
        tags = list(request.tags)
        rules.check_product_fields(
            violations,
            name=request.name,
            description=request.description,
            image_url=request.image_url,
            brand=request.brand,
            tags=tags,
        )
        rules.check_attributes(violations, request.attributes, removals=False)
        currency = request.currency_code or self._deps.settings.default_currency
        price_minor = rules.check_price(violations, request.price, currency)
        if violations.check(bool(request.category_id), "category_id", "is required"):
            _check_category_id(violations, "category_id", request.category_id)
        validation.request_id(violations, request.request_id)
        violations.raise_if_any()
        await self._require_active_category(request.category_id, "category_id")

        product_id = request.product_id or rules.new_product_id(request.request_id)
        now = clocks.to_iso(self._deps.clock())
        doc = product_document(
            {
                "id": product_id,
                "name": request.name.strip(),
                "description": request.description.strip(),
                "price_minor": price_minor,
                "currency_code": currency,
                "category_id": request.category_id,
                "image_url": request.image_url,
                "brand": request.brand.strip(),
                "tags": rules.normalize_tags(tags),
                "attributes": rules.merged_attributes({}, request.attributes),
                "status": rules.ACTIVE,
                # No stock until inventory receives some.
                "in_stock": False,
                "created_at": now,
                "updated_at": now,
                "request_id": request.request_id,
            }
        )
        call = current_call()
        event = product_events.created(
            doc, actor_id=call.principal.subject, correlation_id=call.request_id, clock=self._deps.clock
        )
        try:
            results = await self._products.batch(
                product_id, [CreateOp(doc), outbox_op(self._products, event, product_id)]
            )
        except BatchError as exc:
            if not isinstance(exc.cause, ConflictError):
                raise
            existing = await read_or_not_found(self._products, product_id, product_id, "product")
            if request.request_id and existing.get("request_id") == request.request_id:
                return product_message(existing)  # a retry of the create that already happened
            raise AlreadyExists(f"product {product_id!r} already exists") from None
        # After the commit: a page loaded between a drop and the commit would be stored without it.
        await self.forget()
        self._deps.notify_relay()
        created = results[0]
        assert created is not None  # a create returns the document it wrote
        return product_message(created)

    async def UpdateProduct(self, request: pb.UpdateProductRequest, context: Any) -> product_pb2.Product:
        violations = Violations()
        _check_product_id(violations, request.product_id)
        given = {name for name in ("name", "description", "image_url", "brand") if request.HasField(name)}
        tags = list(request.tags) if request.tags else None
        rules.check_product_fields(violations, tags=tags, **{name: getattr(request, name) for name in given})
        if request.HasField("category_id"):
            _check_category_id(violations, "category_id", request.category_id)
        if request.HasField("currency_code") and not request.HasField("price"):
            violations.add("price", "is required when currency_code changes")
        rules.check_attributes(violations, request.attributes, removals=True)
        violations.raise_if_any()
        if request.HasField("category_id"):
            await self._require_active_category(request.category_id, "category_id")

        async def mutate(doc: Document) -> Document:
            checks = Violations()
            if request.HasField("price"):
                currency = request.currency_code if request.HasField("currency_code") else doc["currency_code"]
                doc["price_minor"] = rules.check_price(checks, request.price, currency)
                doc["currency_code"] = currency
            checks.raise_if_any()
            for name in given:
                doc[name] = getattr(request, name).strip()
            if request.HasField("category_id"):
                doc["category_id"] = request.category_id
            if tags is not None:
                doc["tags"] = rules.normalize_tags(tags)
            if request.attributes:
                attributes = rules.merged_attributes(doc.get("attributes", {}), request.attributes)
                checks.check(
                    len(attributes) <= rules.MAX_ATTRIBUTES, "attributes", f"at most {rules.MAX_ATTRIBUTES} attributes"
                )
                checks.raise_if_any()
                doc["attributes"] = attributes
            doc["updated_at"] = clocks.to_iso(self._deps.clock())
            return product_document(doc)

        return product_message(await self._update_product(request.product_id, request.etag, mutate))

    async def ArchiveProduct(self, request: pb.ArchiveProductRequest, context: Any) -> product_pb2.Product:
        return await self._set_product_status(request.product_id, request.etag, rules.ARCHIVED)

    async def RestoreProduct(self, request: pb.RestoreProductRequest, context: Any) -> product_pb2.Product:
        return await self._set_product_status(request.product_id, request.etag, rules.ACTIVE)

    async def _set_product_status(self, product_id: str, etag: str, status: str) -> product_pb2.Product:
        violations = Violations()
        _check_product_id(violations, product_id)
        violations.raise_if_any()

        async def mutate(doc: Document) -> Document | None:
            if doc["status"] == status:
                return None  # already there: idempotent
            if status == rules.ACTIVE:
                await self._require_active_category(
                    doc["category_id"],
                    "product_id",
                    why="its category is archived; restore the category first",
                )
            doc["status"] = status
            doc["updated_at"] = clocks.to_iso(self._deps.clock())
            return doc

        return product_message(await self._update_product(product_id, etag, mutate))

    # --- categories -----------------------------------------------------------------------

    async def ListCategories(self, request: pb.ListCategoriesRequest, context: Any) -> pb.ListCategoriesResponse:
        violations = Violations()
        size = validation.page_size(violations, "page_size", request.page_size, default=validation.MAX_PAGE_SIZE)
        token = validation.page_token(violations, "page_token", request.page_token)
        if request.parent_id:
            _check_category_id(violations, "parent_id", request.parent_id)
        violations.raise_if_any()
        terms: list[Term] = [Eq("status", rules.ACTIVE)]
        if request.parent_id:
            terms.append(Eq("parent_id", request.parent_id))
        page = await self._categories.query(
            Query(where=And(*terms), order_by=BY_NAME), max_items=size, continuation=token
        )
        return pb.ListCategoriesResponse(
            categories=[category_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetCategory(self, request: pb.GetCategoryRequest, context: Any) -> category_pb2.Category:
        violations = Violations()
        _check_category_id(violations, "category_id", request.category_id)
        violations.raise_if_any()
        doc = await read_or_not_found(self._categories, request.category_id, request.category_id, "category")
        return category_message(doc)

    async def CreateCategory(self, request: pb.CreateCategoryRequest, context: Any) -> category_pb2.Category:
        violations = Violations()
        category_id = request.category_id or rules.slugify(request.name)
        if request.category_id:
            _check_category_id(violations, "category_id", request.category_id)
        validation.text(violations, "name", request.name, required=True, max_length=100)
        validation.text(violations, "description", request.description, max_length=1000)
        validation.http_url(violations, "image_url", request.image_url)
        if request.parent_id:
            _check_category_id(violations, "parent_id", request.parent_id)
        violations.raise_if_any()
        if request.parent_id:
            await self._require_active_category(request.parent_id, "parent_id")
        now = clocks.to_iso(self._deps.clock())
        doc = {
            "id": category_id,
            "name": request.name.strip(),
            "description": request.description.strip(),
            "parent_id": request.parent_id,
            "image_url": request.image_url,
            "status": rules.ACTIVE,
            "created_at": now,
            "updated_at": now,
        }
        try:
            created = await self._categories.create(doc)
        except ConflictError:
            raise AlreadyExists(f"category {category_id!r} already exists") from None
        return category_message(created)

    async def UpdateCategory(self, request: pb.UpdateCategoryRequest, context: Any) -> category_pb2.Category:
        violations = Violations()
        _check_category_id(violations, "category_id", request.category_id)
        if request.HasField("name"):
            validation.text(violations, "name", request.name, required=True, max_length=100)
        if request.HasField("description"):
            validation.text(violations, "description", request.description, max_length=1000)
        if request.HasField("image_url"):
            validation.http_url(violations, "image_url", request.image_url)
        if request.HasField("parent_id") and request.parent_id:
            _check_category_id(violations, "parent_id", request.parent_id)
        violations.raise_if_any()
        if request.HasField("parent_id") and request.parent_id:
            await self._require_active_category(request.parent_id, "parent_id")
            if rules.creates_cycle(request.category_id, request.parent_id, await self._category_parents()):
                raise InvalidArgument.for_field("parent_id", "would make the category its own ancestor")

        async def mutate(doc: Document) -> Document:
            for name in ("name", "description", "image_url", "parent_id"):
                if request.HasField(name):
                    doc[name] = getattr(request, name).strip()
            doc["updated_at"] = clocks.to_iso(self._deps.clock())
            return doc

        return category_message(await self._update_category(request.category_id, request.etag, mutate))

    async def ArchiveCategory(self, request: pb.ArchiveCategoryRequest, context: Any) -> category_pb2.Category:
        violations = Violations()
        _check_category_id(violations, "category_id", request.category_id)
        violations.raise_if_any()
        in_use = await self._products.count(
            Query(where=And(Eq("status", rules.ACTIVE), Eq("category_id", request.category_id), NOT_OUTBOX))
        )
        children = await self._categories.count(
            Query(where=And(Eq("status", rules.ACTIVE), Eq("parent_id", request.category_id)))
        )
        if in_use or children:
            raise FailedPrecondition(
                f"category {request.category_id!r} still has {in_use} active products and "
                f"{children} active subcategories; move or archive them first",
                subject=f"categories/{request.category_id}",
                reason=ErrorReason.ERROR_REASON_CATEGORY_IN_USE,
            )

        async def mutate(doc: Document) -> Document | None:
            if doc["status"] == rules.ARCHIVED:
                return None
            doc["status"] = rules.ARCHIVED
            doc["updated_at"] = clocks.to_iso(self._deps.clock())
            return doc

        return category_message(await self._update_category(request.category_id, request.etag, mutate))

    # --- helpers --------------------------------------------------------------------------

    async def _update_category(self, category_id: str, etag: str, mutate: Mutation) -> Document:
        try:
            return await update_document(
                self._categories, category_id, category_id, mutate, what="category", expected_etag=etag
            )
        finally:
            await self.forget()  # after the write: category moves change which products a filter lists

    async def _update_product(self, product_id: str, etag: str, mutate: Mutation) -> Document:
        """Writes a staff change of the product together with the event it amounts to."""
        call = current_call()

        def events(before: Document, after: Document) -> list[EventEnvelope]:
            return product_events.changed(
                before, after, actor_id=call.principal.subject, correlation_id=call.request_id, clock=self._deps.clock
            )

        try:
            updated = await update_document(
                self._products,
                product_id,
                product_id,
                mutate,
                what="product",
                expected_etag=etag,
                events=events,
            )
        finally:
            await self.forget(product_id)
        self._deps.notify_relay()
        return updated

    async def forget(self, product_id: str = "") -> None:
        """Drops what a write made stale, wherever it is cached: the product and every cached page."""
        if product_id:
            await self._hot_products.drop(product_id)
        await self._hot_pages.drop_all()

    def consumer_group(self) -> ConsumerGroup:
        """With caches shared by hosts: every process drops the products other hosts changed (and the
        shared copies, in case the writer could not), as their product events come in."""
        return ConsumerGroup(CACHE_GROUP, (Subscription.to(PRODUCT_TOPIC, self._product_changed),), per_replica=True)

    async def _product_changed(self, delivery: Delivery) -> None:
        await self.forget(delivery.envelope.partition_key)

    async def _category_parents(self) -> dict[str, str]:
        page = await self._categories.query(Query(), max_items=MAX_CATEGORIES)
        return {doc["id"]: doc.get("parent_id", "") for doc in page.items}

    async def _require_active_category(self, category_id: str, field: str, why: str = "") -> None:
        try:
            doc = await self._categories.read(category_id, category_id)
        except NotFoundError:
            doc = None
        if doc is None or doc["status"] != rules.ACTIVE:
            raise InvalidArgument.for_field(field, why or f"no active category {category_id!r}")


async def create_binding(deps: Dependencies) -> ServiceBinding:
    products = await deps.store.container(PRODUCTS, PRODUCT_PARTITION_KEY)
    categories = await deps.store.container(CATEGORIES, CATEGORY_PARTITION_KEY)
    servicer = CatalogServicer(deps, products, categories)
    if deps.bus is not None:  # in_stock follows inventory's stock levels
        listener = stock_listener.StockListener(products, on_change=servicer.forget)
        deps.bus.declare(listener.consumer_group())
        if deps.caches.shared:
            deps.bus.declare(servicer.consumer_group())
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CatalogService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CatalogServiceServicer_to_server(servicer, server),
    )
