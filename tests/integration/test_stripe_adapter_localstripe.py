"""Contract test of the Stripe adapter against localstripe, a Stripe-compatible fake server.

localstripe runs as a subprocess on a free port. Two gaps of the fake are bridged by a small shim at
its start, so the adapter sends exactly what it sends to Stripe:

- localstripe refuses PaymentIntent parameters it does not model; `automatic_payment_methods` (which
  only widens the methods on offer beyond cards) is dropped before its PaymentIntent sees it.
- it pickles its whole state to /tmp/localstripe.pickle after every write; parallel test runs would
  share that file, so the shim turns the dump off (every run starts from scratch anyway).

localstripe does not implement Idempotency-Key replay; the test checks that the adapter sends the key
and skips the replay assertion with that reason when the fake creates a second PaymentIntent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any, cast

import grpc
import pytest
import stripe

from hph.services.payments.providers import (
    PaymentProvider,
    ProviderPayment,
    ProviderUnavailable,
    RefundRefused,
)
from hph.services.payments.providers.port import REASON_PAYMENT_NOT_CAPTURED
from hph.services.payments.providers.stripe_adapter import StripePaymentProvider
from tests.support.payment_providers import (
    check_a_retried_full_refund_returns_the_first,
    check_refunds_stop_at_the_capture,
)
from tests.support.ports import free_port
from tests.support.processes import stop_process

pytestmark = pytest.mark.integration

API_KEY = "sk_test_hph_contract"
STARTUP_SECONDS = 30.0

SUCCEEDS = "4242424242424242"
DECLINES = "4000000000000341"  # localstripe's "attaches, then every charge is declined" card
NEEDS_3DS = "4000002760003184"

_SHIM = """
import sys
from localstripe import resources, server

_create = resources.PaymentIntent.__init__

def _accepting_automatic_payment_methods(self, *args, automatic_payment_methods=None, **kwargs):
    _create(self, *args, **kwargs)

resources.PaymentIntent.__init__ = _accepting_automatic_payment_methods
type(resources.store).dump_to_disk = lambda self: None
sys.argv = ["localstripe", *sys.argv[1:]]
server.start()
"""


def _answers(base: str) -> bool:
    request = urllib.request.Request(f"{base}/v1/customers", headers={"Authorization": f"Bearer {API_KEY}"})
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="module")
def localstripe_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("localstripe") / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", _SHIM, "--port", str(port), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(base):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"localstripe did not start on port {port}:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        stop_process(process)


class RecordingHttpClient(stripe.RequestsClient):
    """The SDK's own HTTP client, noting the Idempotency-Key of every request it sends."""

    def __init__(self) -> None:
        super().__init__(timeout=10)
        self.idempotency_keys: list[str | None] = []

    # Same signature as RequestsClient.request, which itself differs from HTTPClient's.
    def request(  # type: ignore[override]
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        self.idempotency_keys.append((headers or {}).get("Idempotency-Key"))
        return super().request(method, url, headers, post_data)


@pytest.fixture
def provider(localstripe_base: str) -> StripePaymentProvider:
    return StripePaymentProvider(API_KEY, api_base=localstripe_base, max_network_retries=0, timeout_seconds=10)


def card(localstripe_base: str, number: str) -> str:
    """A PaymentMethod for a raw test card number: only a fake accepts these from a server."""
    client = stripe.StripeClient(API_KEY, base_addresses={"api": localstripe_base})
    params = {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    return client.v1.payment_methods.create(cast(Any, params)).id


async def pay(provider: PaymentProvider, method: str, key: str, amount: int = 5_000) -> ProviderPayment:
    return await provider.create_payment(
        amount_minor=amount,
        currency="USD",
        payment_method=method,
        customer_ref="user-1",
        idempotency_key=key,
        metadata={"order_id": "order-1"},
    )


async def test_a_test_card_is_charged(provider: StripePaymentProvider, localstripe_base: str) -> None:
    payment = await pay(provider, card(localstripe_base, SUCCEEDS), "k-success", amount=12_345)
    assert provider.name == "stripe"
    assert payment.status == "succeeded"
    assert payment.id.startswith("pi_")
    assert (payment.amount_minor, payment.currency) == (12_345, "USD")
    assert (payment.failure_code, payment.client_secret) == ("", "")


async def test_stripes_test_payment_method_token_is_charged(provider: StripePaymentProvider) -> None:
    payment = await pay(provider, "pm_card_visa", "k-token")
    assert payment.status == "succeeded"


async def test_a_decline_is_a_failed_payment(provider: StripePaymentProvider, localstripe_base: str) -> None:
    payment = await pay(provider, card(localstripe_base, DECLINES), "k-decline")
    assert payment.status == "failed"
    assert payment.failure_code == "card_declined"
    assert payment.failure_message == "Your card was declined."
    assert payment.id.startswith("pi_")  # found through the failed charge
    assert payment.amount_minor == 5_000


async def test_3d_secure_requires_action_with_the_client_secret(
    provider: StripePaymentProvider, localstripe_base: str
) -> None:
    payment = await pay(provider, card(localstripe_base, NEEDS_3DS), "k-3ds")
    assert payment.status == "requires_action"
    assert payment.client_secret.startswith(f"{payment.id}_secret_")


async def test_the_idempotency_key_is_sent_and_a_retry_does_not_charge_twice(localstripe_base: str) -> None:
    recorder = RecordingHttpClient()
    provider = StripePaymentProvider(API_KEY, api_base=localstripe_base, max_network_retries=0, http_client=recorder)
    method = card(localstripe_base, SUCCEEDS)
    first = await pay(provider, method, "order-1:attempt-1")
    again = await pay(provider, method, "order-1:attempt-1")
    assert recorder.idempotency_keys == ["order-1:attempt-1", "order-1:attempt-1"]
    if again.id != first.id:
        pytest.skip(
            "localstripe does not implement Idempotency-Key replay (it created a second PaymentIntent); "
            "the adapter sent the same key both times, which is what makes Stripe replay the first one"
        )
    assert again == first


async def test_refunds_never_exceed_the_capture(provider: StripePaymentProvider, localstripe_base: str) -> None:
    payment = await pay(provider, card(localstripe_base, SUCCEEDS), "k-refunds", amount=1_000)
    await check_refunds_stop_at_the_capture(provider, payment, refund_id_prefix="re_")


async def test_a_retried_full_refund_returns_the_first_refund(
    provider: StripePaymentProvider, localstripe_base: str
) -> None:
    payment = await pay(provider, card(localstripe_base, SUCCEEDS), "k-full-refund", amount=700)
    await check_a_retried_full_refund_returns_the_first(provider, payment)


async def test_a_declined_payment_has_nothing_to_refund(provider: StripePaymentProvider, localstripe_base: str) -> None:
    payment = await pay(provider, card(localstripe_base, DECLINES), "k-declined-refund")
    with pytest.raises(RefundRefused) as caught:
        await provider.refund(provider_payment_id=payment.id, amount_minor=1, idempotency_key="r", reason="x")
    assert caught.value.reason == REASON_PAYMENT_NOT_CAPTURED


async def test_an_unknown_payment_has_nothing_to_refund(provider: StripePaymentProvider) -> None:
    with pytest.raises(RefundRefused) as caught:
        await provider.refund(provider_payment_id="pi_unknown", amount_minor=1, idempotency_key="r", reason="x")
    assert caught.value.reason == REASON_PAYMENT_NOT_CAPTURED


async def test_an_intent_for_the_storefront(provider: StripePaymentProvider) -> None:
    intent = await provider.create_intent(
        amount_minor=2_500, currency="USD", customer_ref="user-1", idempotency_key="k-intent", metadata={}
    )
    assert intent.id.startswith("pi_")
    assert intent.client_secret.startswith(f"{intent.id}_secret_")


async def test_rejected_credentials_make_the_provider_unavailable(localstripe_base: str) -> None:
    provider = StripePaymentProvider("rk_not_a_secret_key", api_base=localstripe_base, max_network_retries=0)
    with pytest.raises(ProviderUnavailable) as caught:
        await pay(provider, "pm_card_visa", "k-bad-key")
    assert caught.value.code == grpc.StatusCode.UNAVAILABLE


async def test_an_unreachable_provider_is_unavailable() -> None:
    provider = StripePaymentProvider(
        API_KEY, api_base=f"http://127.0.0.1:{free_port()}", max_network_retries=0, timeout_seconds=2
    )
    with pytest.raises(ProviderUnavailable):
        await pay(provider, "pm_card_visa", "k-unreachable")
