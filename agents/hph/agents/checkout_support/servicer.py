"""CheckoutSupportService over gRPC.

ValidateCheckout: whose cart (the caller's, or anyone's for staff) is checked by CheckoutService's
own ValidateCheckout (the same rules CreateOrder applies; never a copy of them), and its errors and
warnings are returned as blockers and warnings with the agent's codes.

AssessRisk: the risk core (`risk`) over the shopper's and the card's recent orders (the `orders`
projection of order events) and the account's age (UserService.GetUser, as the platform).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import grpc

from holidaypeak.agents.v1 import checkout_support_service_pb2 as pb
from holidaypeak.agents.v1 import checkout_support_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import (
    checkout_pb2,
    checkout_service_pb2,
    checkout_service_pb2_grpc,
    user_service_pb2,
    user_service_pb2_grpc,
)
from hph.agents.checkout_support import risk
from hph.agents.checkout_support.orders import CONTAINER, GROUP, SOURCE, TOPIC, RecentOrders
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.commerce.pricing.sources import check_request_fields
from hph.runtime import money, validation
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.cache import TtlCache
from hph.runtime.channels import ChannelPool
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import InvalidArgument, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.call_context import require_owner, require_user_id
from hph.runtime.rpc.downstream import PlatformClient, refusal_from
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import is_valid_id
from hph.runtime.storage.port import MAX_ID_LENGTH

CONTAINERS = (CONTAINER,)
CHECKOUT_SOURCE = "rpc:CheckoutService.ValidateCheckout"
USERS_SOURCE = "rpc:UserService.GetUser"
BLOCKERS_METHOD = "checkout-service-rules"
DEADLINE_SECONDS = 5.0

_ISSUE = checkout_pb2.CheckoutIssueCode
ISSUE_TO_BLOCKER = {
    _ISSUE.CHECKOUT_ISSUE_CODE_CART_EMPTY: pb.CHECKOUT_BLOCKER_CODE_CART_EMPTY,
    _ISSUE.CHECKOUT_ISSUE_CODE_PRODUCT_UNAVAILABLE: pb.CHECKOUT_BLOCKER_CODE_PRODUCT_INACTIVE,
    _ISSUE.CHECKOUT_ISSUE_CODE_OUT_OF_STOCK: pb.CHECKOUT_BLOCKER_CODE_OUT_OF_STOCK,
    _ISSUE.CHECKOUT_ISSUE_CODE_INSUFFICIENT_STOCK: pb.CHECKOUT_BLOCKER_CODE_INSUFFICIENT_STOCK,
    _ISSUE.CHECKOUT_ISSUE_CODE_LOW_STOCK: pb.CHECKOUT_BLOCKER_CODE_LOW_STOCK,
    _ISSUE.CHECKOUT_ISSUE_CODE_PRICE_CHANGED: pb.CHECKOUT_BLOCKER_CODE_PRICE_CHANGED,
    _ISSUE.CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_REQUIRED: pb.CHECKOUT_BLOCKER_CODE_ADDRESS_MISSING,
    _ISSUE.CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_INVALID: pb.CHECKOUT_BLOCKER_CODE_ADDRESS_INVALID,
    _ISSUE.CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_REQUIRED: pb.CHECKOUT_BLOCKER_CODE_PAYMENT_METHOD_MISSING,
    # Checkout calls a saved card invalid when it has expired (or is gone): it cannot be charged.
    _ISSUE.CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_INVALID: pb.CHECKOUT_BLOCKER_CODE_CARD_EXPIRED,
}
DECISION_TO_PB = {
    risk.Decision.APPROVE: pb.RISK_DECISION_APPROVE,
    risk.Decision.REVIEW: pb.RISK_DECISION_REVIEW,
    risk.Decision.DENY: pb.RISK_DECISION_DENY,
}


class Platform(PlatformClient):
    """CheckoutService and UserService, called as the platform once the agent checked the caller."""

    def __init__(self, channels: ChannelPool, credentials: ServiceCredentials) -> None:
        super().__init__(channels, credentials)
        # An account's creation time never changes once the profile exists, and every order's risk
        # assessment asks it: remembered (a shopper with no profile yet is asked again).
        self._created_at: TtlCache[datetime] = TtlCache(ttl_seconds=3600, max_entries=100_000)

    async def validate(self, request: pb.ValidateCheckoutRequest, user_id: str) -> Any:
        stub = self._channels.stub("checkout", checkout_service_pb2_grpc.CheckoutServiceStub)
        try:
            return await stub.ValidateCheckout(
                checkout_service_pb2.ValidateCheckoutRequest(
                    user_id=user_id,
                    shipping_address_id=request.shipping_address_id,
                    payment_method_id=request.payment_method_id,
                ),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:  # the caller's fields, refused by checkout
                raise InvalidArgument(exc.details() or "checkout refused the request's fields") from None
            raise refusal_from(exc, "checkout") from None

    async def account_created_at(self, user_id: str) -> datetime | None:
        known = self._created_at.get(user_id)
        if known is not None:
            return known
        stub = self._channels.stub("users", user_service_pb2_grpc.UserServiceStub)
        try:
            user = await stub.GetUser(
                user_service_pb2.GetUserRequest(user_id=user_id), timeout=DEADLINE_SECONDS, metadata=self._as_platform()
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                # A signed-in shopper need not have registered a profile: the age is unknown, not an error.
                return None
            raise refusal_from(exc, "users") from None
        if not user.HasField("created_at"):
            return None
        created_at: datetime = user.created_at.ToDatetime(tzinfo=UTC)
        self._created_at.put(user_id, created_at)
        return created_at


class CheckoutSupportServicer(pb_grpc.CheckoutSupportServiceServicer):
    def __init__(
        self,
        platform: Platform,
        orders: RecentOrders,
        clock: Clock,
        narrator: Narrator | None = None,
        policy: risk.Policy = risk.DEFAULT_POLICY,
    ) -> None:
        self._policy = policy
        self._platform = platform
        self._orders = orders
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def ValidateCheckout(self, request: pb.ValidateCheckoutRequest, context: Any) -> pb.ValidateCheckoutResponse:
        violations = Violations()
        # CheckoutService's own shape checks, so a malformed field is the caller's INVALID_ARGUMENT here.
        check_request_fields(
            violations, address_id=request.shipping_address_id, payment_method_id=request.payment_method_id
        )
        validation.text(violations, "user_id", request.user_id, max_length=MAX_ID_LENGTH)
        violations.raise_if_any()
        user_id = _target_user(request.user_id)
        checked = await self._platform.validate(request, user_id)
        blockers = [_blocker(issue) for issue in checked.errors]
        warnings = [_blocker(issue) for issue in checked.warnings]
        summary = (
            f"{len(blockers)} blocker(s), {len(warnings)} warning(s) in {user_id}'s cart"
            if blockers
            else f"nothing blocks {user_id}'s cart; {len(warnings)} warning(s)"
        )
        response = pb.ValidateCheckoutResponse(
            can_proceed=not blockers,
            blockers=blockers,
            warnings=warnings,
            explanation=explanation(
                summary,
                [
                    Driver("blockers", len(blockers), "errors CheckoutService reports", unit="issues"),
                    Driver("warnings", len(warnings), "warnings CheckoutService reports", unit="issues"),
                ],
                method=BLOCKERS_METHOD,
                freshness=data_freshness(self._clock(), sources=[CHECKOUT_SOURCE]),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="checkout blockers")
        return response

    async def AssessRisk(self, request: pb.AssessRiskRequest, context: Any) -> pb.AssessRiskResponse:
        violations = Violations()
        violations.check(is_valid_id(request.user_id), "user_id", "is required and must be a user id")
        validation.text(violations, "user_id", request.user_id, max_length=MAX_ID_LENGTH)
        amount_minor = _amount_minor(violations, request)
        for field in ("payment_method_id", "shipping_address_id", "order_id"):
            value = getattr(request, field)
            violations.check(not value or is_valid_id(value), field, "is not an id")
            validation.text(violations, field, value, max_length=MAX_ID_LENGTH)
        violations.raise_if_any()
        now = self._clock()
        created_at, shopper, card = await asyncio.gather(
            self._platform.account_created_at(request.user_id),
            self._orders.of_shopper(request.user_id, now),
            self._orders.of_card(request.payment_method_id, now),
        )
        assessment = risk.assess(
            risk.Signals(
                amount_minor=amount_minor,
                currency_code=request.amount.currency_code.upper(),
                card=request.payment_method_id,
                shopper_orders=shopper,
                card_orders=card,
                account_created_at=created_at,
                order_id=request.order_id,
            ),
            now,
            self._policy,
        )
        response = pb.AssessRiskResponse(
            decision=DECISION_TO_PB[assessment.decision],
            risk_score=assessment.score,
            review_threshold=self._policy.review_threshold,
            deny_threshold=self._policy.deny_threshold,
            explanation=explanation(
                assessment.summary,
                assessment.drivers,
                method=risk.METHOD,
                freshness=data_freshness(now, data_as_of=self._orders.data_as_of, sources=[SOURCE, USERS_SOURCE]),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="order fraud risk")
        return response


def _amount_minor(violations: Violations, request: pb.AssessRiskRequest) -> int:
    amount = request.amount
    currency = amount.currency_code.upper()
    valid_currency = len(currency) == 3 and currency.isalpha()
    violations.check(request.HasField("amount") and valid_currency, "amount.currency_code", "must be an ISO 4217 code")
    if not valid_currency:
        return 0
    try:
        minor = amount.amount_minor or money.to_minor(amount.amount, currency)
    except money.MoneyError as exc:
        violations.check(False, "amount.amount", str(exc))
        return 0
    violations.check(minor > 0, "amount", "must be positive")
    return minor


def _target_user(requested: str) -> str:
    """The caller's own id, or the named user's when the caller may see their cart (staff)."""
    if not requested:
        return require_user_id()
    violations = Violations()
    violations.check(is_valid_id(requested), "user_id", "is not a user id")
    violations.raise_if_any()
    require_owner(requested, resource="cart")
    return requested


def _blocker(issue: checkout_pb2.CheckoutIssue) -> pb.CheckoutBlocker:
    return pb.CheckoutBlocker(
        code=ISSUE_TO_BLOCKER.get(issue.code, pb.CHECKOUT_BLOCKER_CODE_OTHER),
        message=issue.message,
        product_id=issue.product_id,
        field=issue.field,
    )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    orders = RecentOrders(await CONTAINER.open(deps.store))
    if deps.bus is not None:
        deps.bus.subscribe(TOPIC, GROUP, orders.handle)
    servicer = CheckoutSupportServicer(
        Platform(deps.channels, deps.service_credentials),
        orders,
        deps.clock,
        deps.narrator,
        risk.load_policy(deps.settings.risk_policy_path),
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CheckoutSupportService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CheckoutSupportServiceServicer_to_server(servicer, server),
    )
