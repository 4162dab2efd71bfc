"""UserService over gRPC: sign-in state, profiles, saved addresses and saved payment methods.

Storage: `users` (pk /user_id, a field equal to the id = token subject, because the container also
holds the profile's outbox records, whose ids differ), `addresses` and `payment_methods` (pk /user_id).
Register (first time) and UpdateProfile commit UserRegistered/UserUpdated in the same batch as the
profile; queries over `users` exclude outbox records with NOT_OUTBOX. Every
customer RPC works in the caller's own partition (the token subject), so ids of other users'
items are simply NOT_FOUND; collection invariants live in `collection.OwnedCollection`.
Addresses and payment methods do not need a profile: a shopper may save them before Register.
"""

from __future__ import annotations

from typing import Any

from holidaypeak.commerce.v1 import address_pb2, payment_method_pb2, user_pb2
from holidaypeak.commerce.v1 import user_service_pb2 as pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as pb_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime import clock as clocks
from hph.runtime import validation
from hph.runtime.auth.revocation import RevocationList
from hph.runtime.deps import Dependencies
from hph.runtime.documents import update_document
from hph.runtime.errors import FailedPrecondition, NotFound, Violations
from hph.runtime.events import NOT_OUTBOX, outbox_op
from hph.runtime.rpc.call_context import (
    current_call,
    current_principal,
    idempotency_key,
    require_subject,
    require_user_id,
)
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import (
    And,
    BatchError,
    ConflictError,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Eq,
    NotFoundError,
    OrderBy,
    Query,
    is_valid_id,
)
from hph.services.users import address_rules, profile_events, rules
from hph.services.users.collection import OwnedCollection
from hph.services.users.messages import address_message, payment_method_message, user_message
from hph.services.users.payment_tokens import CardDetails, PaymentTokenResolver, SimulatedCardTokens, check_token

USERS, ADDRESSES, PAYMENT_METHODS = "users", "addresses", "payment_methods"
# Profiles are partitioned by a copy of their id: `outbox_op` needs a partition key field that its
# records (ids "outbox-...") can carry with the user's value.
USER_PARTITION_KEY = "/user_id"
OWNED_PARTITION_KEY = "/user_id"
# What this service keeps (the host creates these; the relay serves the users' outbox).
CONTAINERS = (
    ContainerSpec(USERS, USER_PARTITION_KEY, outbox=True),
    ContainerSpec(ADDRESSES, OWNED_PARTITION_KEY),
    ContainerSpec(PAYMENT_METHODS, OWNED_PARTITION_KEY),
)
NEWEST_FIRST = (OrderBy("created_at", descending=True),)
REGISTER_FIRST = "no profile yet: register first (POST /api/auth/register)"
_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country_code", "phone")


def address_collection(container: Container, deps: Dependencies) -> OwnedCollection:
    return OwnedCollection(container, kind="address", what="address", limit=rules.MAX_ADDRESSES, clock=deps.clock)


def payment_method_collection(container: Container, deps: Dependencies) -> OwnedCollection:
    return OwnedCollection(
        container,
        kind="payment_method",
        what="payment method",
        limit=rules.MAX_PAYMENT_METHODS,
        clock=deps.clock,
    )


def new_address_document(address_id: str, fields: address_rules.PostalFields, now: str, request_id: str) -> Document:
    return {"id": address_id, **fields.as_dict(), "created_at": now, "updated_at": now, "request_id": request_id}


def profile_document(user_id: str, email: str, name: str, phone: str, now: str) -> Document:
    # email_lower serves the staff lookup by e-mail, which compares case-insensitively.
    return {
        "id": user_id,
        "user_id": user_id,
        "email": email,
        "email_lower": rules.normalize_email(email),
        "name": name,
        "phone": phone,
        "created_at": now,
        "updated_at": now,
    }


class UserServicer(pb_grpc.UserServiceServicer):
    def __init__(
        self,
        deps: Dependencies,
        users: Container,
        addresses: OwnedCollection,
        payment_methods: OwnedCollection,
        cards: PaymentTokenResolver,
        revocations: RevocationList,
    ) -> None:
        self._deps = deps
        self._users = users
        self._addresses = addresses
        self._payment_methods = payment_methods
        self._cards = cards
        self._revocations = revocations

    # --- sign-in and profile --------------------------------------------------------------

    async def GetMe(self, request: pb.GetMeRequest, context: Any) -> pb.GetMeResponse:
        principal = current_principal()
        profile = await self._profile_or_none(require_user_id())
        return pb.GetMeResponse(
            user_id=principal.subject,
            email=principal.email,
            name=profile["name"] if profile else principal.name,
            roles=list(principal.role_names),
            registered=profile is not None,
        )

    async def Register(self, request: pb.RegisterRequest, context: Any) -> user_pb2.User:
        violations = Violations()
        rules.check_name(violations, "name", request.name, required=False)
        phone = rules.check_profile_phone(violations, "phone", request.phone)
        violations.raise_if_any()
        user_id = require_user_id()
        existing = await self._profile_or_none(user_id)
        if existing is not None:
            return user_message(existing)  # idempotent: a second sign-in changes nothing
        principal = current_principal()
        now = clocks.to_iso(self._deps.clock())
        name = rules.display_name(request.name, principal.name, principal.email, user_id)
        doc = profile_document(user_id, principal.email, name, phone, now)
        event = profile_events.registered(doc, correlation_id=current_call().request_id, clock=self._deps.clock)
        try:
            results = await self._users.batch(user_id, [CreateOp(doc), outbox_op(self._users, event, user_id)])
        except BatchError as exc:
            if not isinstance(exc.cause, ConflictError):
                raise
            # A concurrent first sign-in won the race; its profile (and its event) is the one.
            return user_message(await self._users.read(user_id, user_id))
        self._deps.notify_relay()
        created = results[0]
        assert created is not None  # a create returns the document it wrote
        return user_message(created)

    async def Logout(self, request: pb.LogoutRequest, context: Any) -> pb.LogoutResponse:
        principal = current_principal()
        if not principal.token_id or principal.expires_at is None:
            raise FailedPrecondition(
                "this token has no id (jti) or expiry, so it cannot be revoked; discard it instead",
                reason=ErrorReason.ERROR_REASON_TOKEN_NOT_REVOCABLE,
            )
        await self._revocations.revoke(principal.token_id, principal.expires_at)
        return pb.LogoutResponse(revoked_until=clocks.to_timestamp(principal.expires_at))

    async def GetProfile(self, request: pb.GetProfileRequest, context: Any) -> user_pb2.User:
        profile = await self._profile_or_none(require_user_id())
        if profile is None:
            raise NotFound(REGISTER_FIRST)
        return user_message(profile)

    async def UpdateProfile(self, request: pb.UpdateProfileRequest, context: Any) -> user_pb2.User:
        violations = Violations()
        if request.HasField("name"):
            rules.check_name(violations, "name", request.name, required=True)
        phone = rules.check_profile_phone(violations, "phone", request.phone) if request.HasField("phone") else None
        violations.raise_if_any()
        user_id = require_user_id()

        async def mutate(doc: Document) -> Document | None:
            if not request.HasField("name") and phone is None:
                return None
            if request.HasField("name"):
                doc["name"] = " ".join(request.name.split())
            if phone is not None:
                doc["phone"] = phone
            doc["updated_at"] = clocks.to_iso(self._deps.clock())
            return doc

        correlation_id = current_call().request_id

        def events(before: Document, after: Document) -> list[EventEnvelope]:
            return profile_events.updated(before, after, correlation_id=correlation_id, clock=self._deps.clock)

        try:
            updated = await update_document(
                self._users, user_id, user_id, mutate, what="profile", expected_etag=request.etag, events=events
            )
        except NotFound:
            raise NotFound(REGISTER_FIRST) from None
        self._deps.notify_relay()
        return user_message(updated)

    # --- addresses ------------------------------------------------------------------------

    async def ListAddresses(self, request: pb.ListAddressesRequest, context: Any) -> pb.ListAddressesResponse:
        violations = Violations()
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        page = await self._addresses.page(require_subject(), page_size=size, continuation=token)
        return pb.ListAddressesResponse(
            addresses=[address_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetAddress(self, request: pb.GetAddressRequest, context: Any) -> address_pb2.Address:
        violations = Violations()
        _check_address_id(violations, request.address_id)
        violations.raise_if_any()
        return address_message(await self._addresses.get(require_subject(), request.address_id))

    async def CreateAddress(self, request: pb.CreateAddressRequest, context: Any) -> address_pb2.Address:
        violations = Violations()
        fields = address_rules.check_address(violations, address_rules.PostalFields.of(request))
        request_id = idempotency_key(request.request_id)
        validation.request_id(violations, request_id)
        violations.raise_if_any()
        user_id = require_subject()
        doc = new_address_document(
            rules.new_item_id(rules.ADDRESS_PREFIX, user_id, request_id),
            fields,
            clocks.to_iso(self._deps.clock()),
            request_id,
        )
        return address_message(await self._addresses.create(user_id, doc, make_default=request.is_default))

    async def UpdateAddress(self, request: pb.UpdateAddressRequest, context: Any) -> address_pb2.Address:
        violations = Violations()
        _check_address_id(violations, request.address_id)
        violations.raise_if_any()
        given = {name: getattr(request, name) for name in _ADDRESS_FIELDS if request.HasField(name)}

        def mutate(doc: Document) -> Document:
            merged = {name: doc.get(name, "") for name in _ADDRESS_FIELDS} | given
            # The whole address is revalidated: a new country can invalidate the old postal code.
            checks = Violations()
            fields = address_rules.check_address(checks, address_rules.PostalFields(**merged))
            checks.raise_if_any()
            return doc | fields.as_dict()

        updated = await self._addresses.update(
            require_subject(),
            request.address_id,
            mutate,
            make_default=request.is_default if request.HasField("is_default") else None,
            expected_etag=request.etag,
        )
        return address_message(updated)

    async def DeleteAddress(self, request: pb.DeleteAddressRequest, context: Any) -> pb.DeleteAddressResponse:
        violations = Violations()
        _check_address_id(violations, request.address_id)
        violations.raise_if_any()
        await self._addresses.delete(require_subject(), request.address_id, expected_etag=request.etag)
        return pb.DeleteAddressResponse()

    # --- payment methods ------------------------------------------------------------------

    async def ListPaymentMethods(
        self, request: pb.ListPaymentMethodsRequest, context: Any
    ) -> pb.ListPaymentMethodsResponse:
        violations = Violations()
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        page = await self._payment_methods.page(require_subject(), page_size=size, continuation=token)
        return pb.ListPaymentMethodsResponse(
            payment_methods=[payment_method_message(d) for d in page.items],
            next_page_token=page.continuation or "",
        )

    async def GetPaymentMethod(
        self, request: pb.GetPaymentMethodRequest, context: Any
    ) -> payment_method_pb2.PaymentMethod:
        violations = Violations()
        _check_payment_method_id(violations, request.payment_method_id)
        violations.raise_if_any()
        doc = await self._payment_methods.get(require_subject(), request.payment_method_id)
        return payment_method_message(doc)

    async def CreatePaymentMethod(
        self, request: pb.CreatePaymentMethodRequest, context: Any
    ) -> payment_method_pb2.PaymentMethod:
        violations = Violations()
        check_token(violations, request.token)
        rules.check_label(violations, "label", request.label)
        request_id = idempotency_key(request.request_id)
        validation.request_id(violations, request_id)
        violations.raise_if_any()
        user_id = require_subject()
        card = await self._cards.resolve(request.token)  # refuses card numbers and unknown tokens
        now = clocks.to_iso(self._deps.clock())
        doc = {
            "id": rules.new_item_id(rules.PAYMENT_METHOD_PREFIX, user_id, request_id),
            "provider": card.provider,
            "provider_payment_method_id": card.provider_payment_method_id,
            "brand": card.brand,
            "last4": card.last4,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
            "label": request.label.strip(),
            "created_at": now,
            "updated_at": now,
            "request_id": request_id,
        }
        created = await self._payment_methods.create(user_id, doc, make_default=request.is_default)
        return payment_method_message(created)

    async def UpdatePaymentMethod(
        self, request: pb.UpdatePaymentMethodRequest, context: Any
    ) -> payment_method_pb2.PaymentMethod:
        violations = Violations()
        _check_payment_method_id(violations, request.payment_method_id)
        if request.HasField("label"):
            rules.check_label(violations, "label", request.label)
        violations.raise_if_any()

        def mutate(doc: Document) -> Document:
            if request.HasField("label"):
                doc["label"] = request.label.strip()
            return doc

        updated = await self._payment_methods.update(
            require_subject(),
            request.payment_method_id,
            mutate,
            make_default=request.is_default if request.HasField("is_default") else None,
            expected_etag=request.etag,
        )
        return payment_method_message(updated)

    async def DeletePaymentMethod(
        self, request: pb.DeletePaymentMethodRequest, context: Any
    ) -> pb.DeletePaymentMethodResponse:
        violations = Violations()
        _check_payment_method_id(violations, request.payment_method_id)
        violations.raise_if_any()
        user_id = require_subject()
        doc = await self._payment_methods.get(user_id, request.payment_method_id)
        await self._payment_methods.delete(user_id, request.payment_method_id, expected_etag=request.etag)
        await self._cards.detach(_card_details(doc))
        return pb.DeletePaymentMethodResponse()

    # --- staff ----------------------------------------------------------------------------

    async def ListUsers(self, request: pb.ListUsersRequest, context: Any) -> pb.ListUsersResponse:
        violations = Violations()
        email = rules.check_email_filter(violations, request.email)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        where = And(Eq("email_lower", email), NOT_OUTBOX) if email else NOT_OUTBOX
        query = Query(where=where, order_by=NEWEST_FIRST)
        page = await self._users.query(query, max_items=size, continuation=token)
        return pb.ListUsersResponse(
            users=[user_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetUser(self, request: pb.GetUserRequest, context: Any) -> user_pb2.User:
        violations = Violations()
        if violations.check(bool(request.user_id), "user_id", "is required"):
            violations.check(is_valid_id(request.user_id), "user_id", "must be 1..255 characters without / \\ ? #")
        violations.raise_if_any()
        profile = await self._profile_or_none(request.user_id)
        if profile is None:
            raise NotFound(f"user {request.user_id!r} not found")
        return user_message(profile)

    # --- helpers --------------------------------------------------------------------------

    async def _profile_or_none(self, user_id: str) -> Document | None:
        try:
            return await self._users.read(user_id, user_id)
        except NotFoundError:
            return None


def _check_address_id(violations: Violations, address_id: str) -> None:
    rules.check_item_id(violations, "address_id", address_id, rules.ADDRESS_ID, rules.ADDRESS_PREFIX)


def _check_payment_method_id(violations: Violations, payment_method_id: str) -> None:
    rules.check_item_id(
        violations, "payment_method_id", payment_method_id, rules.PAYMENT_METHOD_ID, rules.PAYMENT_METHOD_PREFIX
    )


def _card_details(doc: Document) -> CardDetails:
    return CardDetails(
        provider=doc["provider"],
        provider_payment_method_id=doc["provider_payment_method_id"],
        brand=doc["brand"],
        last4=doc["last4"],
        exp_month=doc["exp_month"],
        exp_year=doc["exp_year"],
    )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    users = await deps.store.container(USERS, USER_PARTITION_KEY)
    addresses = await deps.store.container(ADDRESSES, OWNED_PARTITION_KEY)
    payment_methods = await deps.store.container(PAYMENT_METHODS, OWNED_PARTITION_KEY)
    servicer = UserServicer(
        deps,
        users,
        address_collection(addresses, deps),
        payment_method_collection(payment_methods, deps),
        SimulatedCardTokens(deps.clock),
        deps.revocations or RevocationList(deps.store),
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["UserService"].full_name,
        add_to_server=lambda server: pb_grpc.add_UserServiceServicer_to_server(servicer, server),
    )
