"""Users and reviews over real gRPC: sign-in state, profiles, addresses, payment methods, reviews."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import payment_method_pb2
from holidaypeak.commerce.v1 import review_service_pb2 as reviews_pb
from holidaypeak.commerce.v1 import review_service_pb2_grpc as reviews_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as users_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as users_grpc
from tests.support.platform_harness import Hub, Metadata, running_hub
from tests.support.ports import refused_address
from tests.support.rich_status import expect_error, reason, violated_fields

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "reviews", "users")
SF_HOME: dict[str, Any] = {
    "name": "Ava Thompson",
    "line1": "1450 Market Street",
    "line2": "Apt 5B",
    "city": "San Francisco",
    "region": "CA",
    "postal_code": "94103",
    "country_code": "US",
    "phone": "+14155550123",
}


def users(hub: Hub) -> users_grpc.UserServiceStub:
    return users_grpc.UserServiceStub(hub.channel)


def reviews(hub: Hub) -> reviews_grpc.ReviewServiceStub:
    return reviews_grpc.ReviewServiceStub(hub.channel)


def customer(hub: Hub, sub: str = "shopper-1", name: str = "") -> Metadata:
    return hub.auth("customer", sub, name=name)


async def a_product_id(hub: Hub) -> str:
    page = await catalog_grpc.CatalogServiceStub(hub.channel).ListProducts(catalog_pb.ListProductsRequest(limit=2))
    return str(page.products[0].id)


# --- sign-in and profile --------------------------------------------------------------------


async def test_me_before_and_after_register_and_register_is_idempotent(hub: Hub) -> None:
    me = customer(hub, "shopper-1", name="Pat Shopper")
    before = await users(hub).GetMe(users_pb.GetMeRequest(), metadata=me)
    assert (before.user_id, before.email, before.name) == ("shopper-1", "shopper-1@example.com", "Pat Shopper")
    assert list(before.roles) == ["customer"] and not before.registered

    error = await expect_error(
        users(hub).GetProfile(users_pb.GetProfileRequest(), metadata=me), grpc.StatusCode.NOT_FOUND
    )
    assert "register first" in (error.details() or "") and reason(error) == "NOT_FOUND"
    await expect_error(
        users(hub).UpdateProfile(users_pb.UpdateProfileRequest(name="X"), metadata=me), grpc.StatusCode.NOT_FOUND
    )

    created = await users(hub).Register(users_pb.RegisterRequest(phone="+1 415 555 0100"), metadata=me)
    assert (created.id, created.name, created.email, created.phone) == (
        "shopper-1",
        "Pat Shopper",
        "shopper-1@example.com",
        "+1 415 555 0100",
    )
    again = await users(hub).Register(users_pb.RegisterRequest(name="Someone Else"), metadata=me)
    assert again == created  # unchanged, same etag

    after = await users(hub).GetMe(users_pb.GetMeRequest(), metadata=me)
    assert after.registered and after.name == "Pat Shopper"
    assert await users(hub).GetProfile(users_pb.GetProfileRequest(), metadata=me) == created


async def test_register_defaults_the_name_to_the_email_local_part_and_validates(hub: Hub) -> None:
    me = hub.auth("customer", "shopper-2", email="jo.doe@example.com")
    error = await expect_error(
        users(hub).Register(users_pb.RegisterRequest(name="x" * 101, phone="call me"), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"name", "phone"}
    assert (await users(hub).Register(users_pb.RegisterRequest(), metadata=me)).name == "jo.doe"


async def test_staff_roles_and_profile_update_with_etag(hub: Hub) -> None:
    staff = hub.auth("staff", "staff-9")
    assert list((await users(hub).GetMe(users_pb.GetMeRequest(), metadata=staff)).roles) == ["customer", "staff"]
    profile = await users(hub).Register(users_pb.RegisterRequest(name="Sam"), metadata=staff)
    updated = await users(hub).UpdateProfile(
        users_pb.UpdateProfileRequest(name="Sam Rivera", phone="", etag=profile.etag), metadata=staff
    )
    assert (updated.name, updated.phone) == ("Sam Rivera", "") and updated.etag != profile.etag
    await expect_error(
        users(hub).UpdateProfile(users_pb.UpdateProfileRequest(name="Stale", etag=profile.etag), metadata=staff),
        grpc.StatusCode.ABORTED,
    )
    error = await expect_error(
        users(hub).UpdateProfile(users_pb.UpdateProfileRequest(name=" ", phone="12"), metadata=staff),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"name", "phone"}


async def test_staff_list_and_get_users_customers_cannot(hub: Hub) -> None:
    staff = hub.auth("staff", "staff-sam")
    found = await users(hub).ListUsers(users_pb.ListUsersRequest(email="AVA.Thompson@Example.com"), metadata=staff)
    assert [u.id for u in found.users] == ["customer-ava"]
    everyone = await users(hub).ListUsers(users_pb.ListUsersRequest(page_size=100), metadata=staff)
    assert {"customer-ava", "staff-sam", "admin-ada"} <= {u.id for u in everyone.users}
    assert (await users(hub).GetUser(users_pb.GetUserRequest(user_id="customer-liam"), metadata=staff)).name == (
        "Liam Carter"
    )
    await expect_error(
        users(hub).GetUser(users_pb.GetUserRequest(user_id="nobody"), metadata=staff), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        users(hub).ListUsers(users_pb.ListUsersRequest(), metadata=customer(hub)), grpc.StatusCode.PERMISSION_DENIED
    )


async def test_logout_revokes_the_presented_token_only(hub: Hub) -> None:
    me = customer(hub, "shopper-3")
    other_session = customer(hub, "shopper-3")
    reply = await users(hub).Logout(users_pb.LogoutRequest(), metadata=me)
    assert reply.revoked_until.seconds > 0
    error = await expect_error(users(hub).GetMe(users_pb.GetMeRequest(), metadata=me), grpc.StatusCode.UNAUTHENTICATED)
    assert reason(error) == "TOKEN_REVOKED"
    assert (await users(hub).GetMe(users_pb.GetMeRequest(), metadata=other_session)).user_id == "shopper-3"


async def test_users_rpcs_need_a_token(hub: Hub) -> None:
    await expect_error(users(hub).GetMe(users_pb.GetMeRequest()), grpc.StatusCode.UNAUTHENTICATED)
    await expect_error(users(hub).ListAddresses(users_pb.ListAddressesRequest()), grpc.StatusCode.UNAUTHENTICATED)


# --- addresses ------------------------------------------------------------------------------


async def test_address_crud_and_default_handling(hub: Hub) -> None:
    me = customer(hub)
    home = await users(hub).CreateAddress(users_pb.CreateAddressRequest(**SF_HOME), metadata=me)
    assert home.id.startswith("adr_") and home.user_id == "shopper-1" and home.is_default  # first is default
    office = await users(hub).CreateAddress(
        users_pb.CreateAddressRequest(
            name="Ava T",
            line1="500 Howard Street",
            city="San Francisco",
            region="ca",
            postal_code="94105-1234",
            country_code="us",
        ),
        metadata=me,
    )
    assert not office.is_default and (office.region, office.country_code) == ("CA", "US")
    london = await users(hub).CreateAddress(
        users_pb.CreateAddressRequest(
            name="Ava T",
            line1="14 Kensington Church St",
            city="London",
            postal_code="w84ep",
            country_code="GB",
            is_default=True,
        ),
        metadata=me,
    )
    assert london.is_default and london.postal_code == "W8 4EP"

    listed = await users(hub).ListAddresses(users_pb.ListAddressesRequest(), metadata=me)
    assert [a.id for a in listed.addresses] == [london.id, office.id, home.id]  # default, then newest
    assert [a.is_default for a in listed.addresses] == [True, False, False]
    assert await users(hub).GetAddress(users_pb.GetAddressRequest(address_id=office.id), metadata=me) == office

    moved = await users(hub).UpdateAddress(
        users_pb.UpdateAddressRequest(address_id=office.id, line2="Floor 3", is_default=True, etag=office.etag),
        metadata=me,
    )
    assert moved.line2 == "Floor 3" and moved.is_default and moved.line1 == office.line1
    listed = await users(hub).ListAddresses(users_pb.ListAddressesRequest(), metadata=me)
    assert [a.id for a in listed.addresses if a.is_default] == [office.id]
    await expect_error(
        users(hub).UpdateAddress(
            users_pb.UpdateAddressRequest(address_id=office.id, city="Oakland", etag=office.etag), metadata=me
        ),
        grpc.StatusCode.ABORTED,
    )

    # Deleting the default promotes the most recently created remaining address.
    await users(hub).DeleteAddress(users_pb.DeleteAddressRequest(address_id=office.id), metadata=me)
    listed = await users(hub).ListAddresses(users_pb.ListAddressesRequest(), metadata=me)
    assert [(a.id, a.is_default) for a in listed.addresses] == [(london.id, True), (home.id, False)]
    await expect_error(
        users(hub).GetAddress(users_pb.GetAddressRequest(address_id=office.id), metadata=me), grpc.StatusCode.NOT_FOUND
    )


async def test_address_validation_names_each_field_per_country(hub: Hub) -> None:
    me = customer(hub)

    async def violations(**fields: str) -> dict[str, str]:
        error = await expect_error(
            users(hub).CreateAddress(users_pb.CreateAddressRequest(**{**SF_HOME, **fields}), metadata=me),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        return dict(violated_fields(error))

    assert set(await violations(postal_code="9410")) == {"postal_code"}
    assert set(await violations(region="")) == {"region"}
    assert set(await violations(country_code="GB", region="", postal_code="XX1 1XX")) == {"postal_code"}
    assert set(await violations(country_code="ZZ")) == {"country_code"}
    assert set(await violations(name="", line1="", city="", phone="12")) == {"name", "line1", "city", "phone"}

    moved = await users(hub).CreateAddress(users_pb.CreateAddressRequest(**SF_HOME), metadata=me)
    error = await expect_error(  # a new country revalidates the kept postal code and region
        users(hub).UpdateAddress(users_pb.UpdateAddressRequest(address_id=moved.id, country_code="CA"), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"postal_code", "region"}
    error = await expect_error(
        users(hub).GetAddress(users_pb.GetAddressRequest(address_id="not-an-id"), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"address_id"}


async def test_another_customer_cannot_see_or_touch_my_address(hub: Hub) -> None:
    mine = await users(hub).CreateAddress(users_pb.CreateAddressRequest(**SF_HOME), metadata=customer(hub, "owner"))
    intruder = customer(hub, "intruder")
    await expect_error(
        users(hub).GetAddress(users_pb.GetAddressRequest(address_id=mine.id), metadata=intruder),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        users(hub).UpdateAddress(
            users_pb.UpdateAddressRequest(address_id=mine.id, city="Elsewhere"), metadata=intruder
        ),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        users(hub).DeleteAddress(users_pb.DeleteAddressRequest(address_id=mine.id), metadata=intruder),
        grpc.StatusCode.NOT_FOUND,
    )
    assert not (await users(hub).ListAddresses(users_pb.ListAddressesRequest(), metadata=intruder)).addresses
    owner_view = await users(hub).GetAddress(
        users_pb.GetAddressRequest(address_id=mine.id), metadata=customer(hub, "owner")
    )
    assert owner_view.city == "San Francisco"


async def test_create_address_with_request_id_is_idempotent_and_the_limit_holds(hub: Hub) -> None:
    me = customer(hub)
    first = await users(hub).CreateAddress(users_pb.CreateAddressRequest(**SF_HOME, request_id="r-1"), metadata=me)
    retry = await users(hub).CreateAddress(users_pb.CreateAddressRequest(**SF_HOME, request_id="r-1"), metadata=me)
    assert retry == first
    for n in range(19):
        await users(hub).CreateAddress(users_pb.CreateAddressRequest(**SF_HOME, request_id=f"n-{n}"), metadata=me)
    error = await expect_error(
        users(hub).CreateAddress(users_pb.CreateAddressRequest(**SF_HOME), metadata=me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(error) == "LIMIT_REACHED"
    page = await users(hub).ListAddresses(users_pb.ListAddressesRequest(page_size=15), metadata=me)
    rest = await users(hub).ListAddresses(
        users_pb.ListAddressesRequest(page_size=15, page_token=page.next_page_token), metadata=me
    )
    assert len(page.addresses) == 15 and len(rest.addresses) == 5 and not rest.next_page_token


async def test_seeded_users_have_their_addresses(hub: Hub) -> None:
    ava = hub.auth("customer", "customer-ava")
    listed = await users(hub).ListAddresses(users_pb.ListAddressesRequest(), metadata=ava)
    assert [(a.postal_code, a.is_default) for a in listed.addresses] == [("94103", True), ("94105-1234", False)]
    assert (await users(hub).GetProfile(users_pb.GetProfileRequest(), metadata=ava)).name == "Ava Thompson"


# --- payment methods ------------------------------------------------------------------------


async def test_payment_method_from_a_test_token_keeps_display_details_only(hub: Hub) -> None:
    me = customer(hub)
    visa = await users(hub).CreatePaymentMethod(
        users_pb.CreatePaymentMethodRequest(token="pm_card_visa", label="Personal"), metadata=me
    )
    assert (visa.brand, visa.last4, visa.exp_month, visa.label) == ("visa", "4242", 12, "Personal")
    assert visa.exp_year >= 2028 and visa.is_default and visa.id.startswith("pmt_")
    assert visa.provider == payment_method_pb2.PAYMENT_PROVIDER_SIMULATOR
    assert "4242424242424242" not in str(visa)
    assert "token" not in {field.name for field, _ in visa.ListFields()}

    amex = await users(hub).CreatePaymentMethod(
        users_pb.CreatePaymentMethodRequest(token="pm_card_amex", is_default=True), metadata=me
    )
    listed = await users(hub).ListPaymentMethods(users_pb.ListPaymentMethodsRequest(), metadata=me)
    assert [(p.id, p.is_default) for p in listed.payment_methods] == [(amex.id, True), (visa.id, False)]
    relabelled = await users(hub).UpdatePaymentMethod(
        users_pb.UpdatePaymentMethodRequest(payment_method_id=visa.id, label="Work", is_default=True), metadata=me
    )
    assert relabelled.label == "Work" and relabelled.is_default
    fetched = await users(hub).GetPaymentMethod(
        users_pb.GetPaymentMethodRequest(payment_method_id=amex.id), metadata=me
    )
    assert not fetched.is_default

    await users(hub).DeletePaymentMethod(users_pb.DeletePaymentMethodRequest(payment_method_id=visa.id), metadata=me)
    listed = await users(hub).ListPaymentMethods(users_pb.ListPaymentMethodsRequest(), metadata=me)
    assert [(p.id, p.is_default) for p in listed.payment_methods] == [(amex.id, True)]
    await expect_error(
        users(hub).GetPaymentMethod(
            users_pb.GetPaymentMethodRequest(payment_method_id=amex.id), metadata=customer(hub, "intruder")
        ),
        grpc.StatusCode.NOT_FOUND,
    )


@pytest.mark.parametrize(
    ("token", "says"),
    [("4242 4242 4242 4242", "never send card numbers"), ("pm_card_nope", "unknown payment token"), ("", "required")],
)
async def test_card_numbers_and_unknown_tokens_are_refused(hub: Hub, token: str, says: str) -> None:
    error = await expect_error(
        users(hub).CreatePaymentMethod(users_pb.CreatePaymentMethodRequest(token=token), metadata=customer(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert says in violated_fields(error)["token"]
    assert "4242 4242" not in (error.details() or "")


# --- reviews --------------------------------------------------------------------------------


async def test_review_create_list_get_delete(hub: Hub) -> None:
    product_id = await a_product_id(hub)
    ava = hub.auth("customer", "customer-ava", name="Ava Thompson")
    review = await reviews(hub).CreateReview(
        reviews_pb.CreateReviewRequest(product_id=product_id, rating=5, title="Lovely", comment="Bright and warm."),
        metadata=ava,
    )
    assert (review.product_id, review.user_id, review.author_name, review.rating) == (
        product_id,
        "customer-ava",
        "Ava Thompson",
        5,
    )
    liam = hub.auth("customer", "customer-liam", email="liam.carter@example.com")
    second = await reviews(hub).CreateReview(
        reviews_pb.CreateReviewRequest(product_id=product_id, rating=3, title="OK", comment="Fine."), metadata=liam
    )
    assert second.author_name == "liam.carter"

    listed = await reviews(hub).ListReviews(reviews_pb.ListReviewsRequest(product_id=product_id))  # anonymous
    assert [r.id for r in listed.reviews] == [second.id, review.id]  # newest first
    assert await reviews(hub).GetReview(reviews_pb.GetReviewRequest(review_id=review.id)) == review

    await reviews(hub).DeleteReview(reviews_pb.DeleteReviewRequest(review_id=review.id), metadata=ava)
    await expect_error(
        reviews(hub).GetReview(reviews_pb.GetReviewRequest(review_id=review.id)), grpc.StatusCode.NOT_FOUND
    )
    # Having deleted it, the author may review the product again.
    again = await reviews(hub).CreateReview(
        reviews_pb.CreateReviewRequest(product_id=product_id, rating=4, title="Still good", comment="Yes."),
        metadata=ava,
    )
    assert again.rating == 4


async def test_review_validation_reports_every_field(hub: Hub) -> None:
    me = customer(hub)
    error = await expect_error(
        reviews(hub).CreateReview(
            reviews_pb.CreateReviewRequest(product_id=await a_product_id(hub), rating=7, title="Hi", comment="Text"),
            metadata=me,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert list(violated_fields(error)) == ["rating"] and reason(error) == "VALIDATION_FAILED"
    error = await expect_error(
        reviews(hub).CreateReview(reviews_pb.CreateReviewRequest(rating=0, title="", comment="x" * 5001), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"product_id", "rating", "title", "comment"}
    error = await expect_error(
        reviews(hub).ListReviews(reviews_pb.ListReviewsRequest()), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(error)) == {"product_id"}
    error = await expect_error(
        reviews(hub).GetReview(reviews_pb.GetReviewRequest(review_id="garbage")), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(error)) == {"review_id"}


async def test_unknown_or_archived_product_cannot_be_reviewed(hub: Hub) -> None:
    me = customer(hub)
    error = await expect_error(
        reviews(hub).CreateReview(
            reviews_pb.CreateReviewRequest(product_id="NO-SUCH-SKU", rating=4, title="t", comment="c"), metadata=me
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert violated_fields(error) == {"product_id": "no such product"}
    product_id = await a_product_id(hub)
    await catalog_grpc.CatalogServiceStub(hub.channel).ArchiveProduct(
        catalog_pb.ArchiveProductRequest(product_id=product_id), metadata=hub.auth("staff", "staff-sam")
    )
    error = await expect_error(
        reviews(hub).CreateReview(
            reviews_pb.CreateReviewRequest(product_id=product_id, rating=4, title="t", comment="c"), metadata=me
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"product_id"}


async def test_one_review_per_user_per_product_and_retries_are_idempotent(hub: Hub) -> None:
    product_id = await a_product_id(hub)
    me = customer(hub)
    request = reviews_pb.CreateReviewRequest(product_id=product_id, rating=4, title="t", comment="c", request_id="k1")
    first = await reviews(hub).CreateReview(request, metadata=me)
    assert await reviews(hub).CreateReview(request, metadata=me) == first  # same idempotency key: replayed
    error = await expect_error(
        reviews(hub).CreateReview(
            reviews_pb.CreateReviewRequest(product_id=product_id, rating=1, title="again", comment="c"), metadata=me
        ),
        grpc.StatusCode.ALREADY_EXISTS,
    )
    assert reason(error) == "DUPLICATE"


async def test_only_the_author_or_an_admin_deletes_a_review(hub: Hub) -> None:
    product_id = await a_product_id(hub)
    review = await reviews(hub).CreateReview(
        reviews_pb.CreateReviewRequest(product_id=product_id, rating=2, title="Meh", comment="Dim."),
        metadata=customer(hub, "author"),
    )
    delete = reviews_pb.DeleteReviewRequest(review_id=review.id)
    error = await expect_error(
        reviews(hub).DeleteReview(delete, metadata=customer(hub, "someone-else")), grpc.StatusCode.PERMISSION_DENIED
    )
    assert reason(error) == "NOT_OWNER"
    await expect_error(
        reviews(hub).DeleteReview(delete, metadata=hub.auth("staff", "staff-sam")), grpc.StatusCode.PERMISSION_DENIED
    )
    await reviews(hub).DeleteReview(delete, metadata=hub.auth("admin", "admin-ada"))
    await expect_error(reviews(hub).DeleteReview(delete, metadata=customer(hub, "author")), grpc.StatusCode.NOT_FOUND)


async def test_anonymous_cannot_write_reviews(hub: Hub) -> None:
    request = reviews_pb.CreateReviewRequest(product_id=await a_product_id(hub), rating=5, title="t", comment="c")
    await expect_error(reviews(hub).CreateReview(request), grpc.StatusCode.UNAUTHENTICATED)


async def test_review_is_refused_as_unavailable_when_the_catalog_does_not_answer(tmp_path: Path) -> None:
    with refused_address() as down:
        overrides = {"service_addresses": f"catalog={down}"}
        async with running_hub(
            tmp_path / "data", services=["reviews"], seed=False, settings_overrides=overrides
        ) as hub:
            error = await expect_error(
                reviews(hub).CreateReview(
                    reviews_pb.CreateReviewRequest(product_id="PRD-123", rating=5, title="t", comment="c"),
                    metadata=hub.auth("customer", "u1"),
                ),
                grpc.StatusCode.UNAVAILABLE,
            )
            assert reason(error) == "DEPENDENCY_UNAVAILABLE"
