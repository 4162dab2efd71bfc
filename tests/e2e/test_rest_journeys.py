"""Journeys a storefront and a staff user make over REST, through the gateway, against real services."""

from __future__ import annotations

import pytest

from tests.support.rest_harness import RestHub
from tests.support.rest_json import ADDRESS, answer

pytestmark = pytest.mark.integration


def violations_of(body: dict) -> dict[str, str]:  # type: ignore[type-arg]
    found: dict[str, str] = {}
    for detail in body.get("details", []):
        for violation in detail.get("field_violations", detail.get("fieldViolations", [])):
            found[violation["field"]] = violation["description"]
    return found


async def test_browse_products_with_paging_search_and_categories(rest: RestHub) -> None:
    page = answer(await rest.http.get("/api/products", params={"limit": 5}), 200)
    assert len(page["products"]) == 5 and page["next_page_token"]
    product = page["products"][0]
    assert {"id", "name", "description", "price", "currency_code", "category_id", "image_url"} <= set(product)
    following = answer(
        await rest.http.get("/api/products", params={"limit": 5, "page_token": page["next_page_token"]}), 200
    )
    assert not {p["id"] for p in following["products"]} & {p["id"] for p in page["products"]}

    one = answer(await rest.http.get(f"/api/products/{product['id']}"), 200)
    assert one["id"] == product["id"] and one["price"] == product["price"]
    word = product["name"].split()[0]
    found = answer(await rest.http.get("/api/products", params={"search": word, "limit": 100}), 200)
    assert product["id"] in {p["id"] for p in found["products"]}

    categories = answer(await rest.http.get("/api/categories"), 200)["categories"]
    assert len(categories) >= 15
    assert {"id", "name", "description"} <= set(categories[0])
    top = next(c for c in categories if not c.get("parent_id"))
    children = answer(await rest.http.get("/api/categories", params={"parent_id": top["id"]}), 200)["categories"]
    assert children and all(c["parent_id"] == top["id"] for c in children)
    assert answer(await rest.http.get(f"/api/categories/{top['id']}"), 200)["name"] == top["name"]
    in_category = answer(await rest.http.get("/api/products", params={"category": top["id"], "limit": 100}), 200)
    assert {p["category_id"] for p in in_category["products"]} <= {c["id"] for c in children} | {top["id"]}


async def test_client_mistakes_get_clear_4xx_errors(rest_either: RestHub) -> None:
    rest = rest_either  # through either gateway topology
    missing = answer(await rest.http.get("/api/products/NOPE-0000"), 404)
    assert missing["code"] == 5 and "NOPE-0000" in missing["message"]
    wrong_type = answer(await rest.http.get("/api/products", params={"limit": "abc"}), 400)
    assert "limit" in violations_of(wrong_type)
    out_of_range = answer(await rest.http.get("/api/products", params={"limit": 500}), 400)
    assert "limit" in violations_of(out_of_range)
    unknown_param = answer(await rest.http.get("/api/products", params={"colour": "red"}), 400)
    assert "colour" in unknown_param["message"]
    answer(await rest.http.get("/api/no-such-thing"), 404)
    bad_json = await rest.http.post(
        "/api/reviews", content=b"{bad", headers={"content-type": "application/json", **rest.bearer("customer", "c1")}
    )
    answer(bad_json, 400)


async def test_review_journey_and_its_refusals(rest: RestHub) -> None:
    product_id = answer(await rest.http.get("/api/products", params={"limit": 1}), 200)["products"][0]["id"]
    review = {"product_id": product_id, "rating": 5, "title": "Lovely", "comment": "Arrived before the holidays."}

    answer(await rest.http.post("/api/reviews", json=review), 401)
    invalid = answer(
        await rest.http.post("/api/reviews", json={**review, "rating": 9}, headers=rest.bearer("customer", "ava")), 400
    )
    assert "rating" in violations_of(invalid)

    created = answer(await rest.http.post("/api/reviews", json=review, headers=rest.bearer("customer", "ava")), 200)
    assert created["rating"] == 5 and created["user_id"] == "ava" and created["product_id"] == product_id
    listed = answer(await rest.http.get("/api/reviews", params={"product_id": product_id}), 200)
    assert created["id"] in {r["id"] for r in listed["reviews"]}
    duplicate = answer(await rest.http.post("/api/reviews", json=review, headers=rest.bearer("customer", "ava")), 409)
    assert duplicate["code"] == 6

    answer(await rest.http.delete(f"/api/reviews/{created['id']}", headers=rest.bearer("customer", "eve")), 403)
    answer(await rest.http.delete(f"/api/reviews/{created['id']}", headers=rest.bearer("customer", "ava")), 200)
    listed = answer(await rest.http.get("/api/reviews", params={"product_id": product_id}), 200)
    assert created["id"] not in {r["id"] for r in listed.get("reviews", [])}


async def test_sign_in_profile_and_logout(rest: RestHub) -> None:
    answer(await rest.http.get("/api/auth/me"), 401)
    ava = rest.bearer("customer", "ava", email="ava@example.com", name="Ava Reyes")
    me = answer(await rest.http.get("/api/auth/me", headers=ava), 200)
    assert me["user_id"] == "ava" and me["email"] == "ava@example.com" and me["roles"] == ["customer"]

    answer(await rest.http.get("/api/users/me", headers=ava), 404)
    registered = answer(await rest.http.post("/api/auth/register", json={"phone": "+14155550100"}, headers=ava), 200)
    assert registered["id"] == "ava" and registered["name"] == "Ava Reyes" and registered["created_at"]
    again = answer(await rest.http.post("/api/auth/register", json={}, headers=ava), 200)
    assert again["id"] == registered["id"] and again["created_at"] == registered["created_at"]

    updated = answer(await rest.http.patch("/api/users/me", json={"name": "Ava R."}, headers=ava), 200)
    assert updated["name"] == "Ava R." and updated["phone"] == "+14155550100"
    assert answer(await rest.http.get("/api/users/me", headers=ava), 200)["name"] == "Ava R."

    answer(await rest.http.post("/api/auth/logout", json={}, headers=ava), 200)
    answer(await rest.http.get("/api/auth/me", headers=ava), 401)


async def test_addresses_and_payment_methods(rest: RestHub) -> None:
    ava = rest.bearer("customer", "ava")
    address = ADDRESS
    created = answer(await rest.http.post("/api/users/me/addresses", json=address, headers=ava), 200)
    assert created["is_default"] is True and created["postal_code"] == "94105"
    bad = answer(
        await rest.http.post("/api/users/me/addresses", json={**address, "postal_code": "9410"}, headers=ava), 400
    )
    assert "postal_code" in violations_of(bad)
    listed = answer(await rest.http.get("/api/users/me/addresses", headers=ava), 200)
    assert [a["id"] for a in listed["addresses"]] == [created["id"]]
    patched = answer(
        await rest.http.patch(f"/api/users/me/addresses/{created['id']}", json={"line2": "Apt 4"}, headers=ava), 200
    )
    assert patched["line2"] == "Apt 4"
    answer(await rest.http.get(f"/api/users/me/addresses/{created['id']}", headers=rest.bearer("customer", "eve")), 404)
    answer(await rest.http.delete(f"/api/users/me/addresses/{created['id']}", headers=ava), 200)

    card = answer(
        await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=ava), 200
    )
    assert card["brand"] == "visa" and card["last4"] == "4242" and card["exp_year"] > 2000
    assert "4242424242424242" not in str(card)
    refused = answer(
        await rest.http.post("/api/users/me/payment-methods", json={"token": "4242 4242 4242 4242"}, headers=ava), 400
    )
    assert "token" in violations_of(refused)
    methods = answer(await rest.http.get("/api/users/me/payment-methods", headers=ava), 200)
    assert [m["id"] for m in methods["payment_methods"]] == [card["id"]]


async def test_staff_catalog_management_and_role_checks(rest: RestHub) -> None:
    category = answer(await rest.http.get("/api/products", params={"limit": 1}), 200)["products"][0]["category_id"]
    product = {"product_id": "GFT-7001", "name": "Cinnamon Candle Trio", "price": 24.99, "category_id": category}
    answer(await rest.http.post("/api/staff/products", json=product), 401)
    answer(await rest.http.post("/api/staff/products", json=product, headers=rest.bearer("customer", "c1")), 403)
    forged = {"authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}
    answer(await rest.http.post("/api/staff/products", json=product, headers=forged), 401)

    staff = rest.bearer("staff", "staff-sam")
    created = answer(await rest.http.post("/api/staff/products", json=product, headers=staff), 200)
    assert created["id"] == "GFT-7001" and created["price"] == 24.99 and created["status"] == "PRODUCT_STATUS_ACTIVE"
    changed = answer(await rest.http.patch("/api/staff/products/GFT-7001", json={"price": 19.99}, headers=staff), 200)
    assert changed["price"] == 19.99
    stale = answer(
        await rest.http.patch(
            "/api/staff/products/GFT-7001", json={"price": 9.99, "etag": created["etag"]}, headers=staff
        ),
        409,
    )
    assert stale["code"] == 10
    archived = answer(await rest.http.post("/api/staff/products/GFT-7001:archive", json={}, headers=staff), 200)
    assert archived["status"] == "PRODUCT_STATUS_ARCHIVED"
    answer(await rest.http.post("/api/staff/categories", json={"name": "Last Minute Gifts"}, headers=staff), 200)
    assert answer(await rest.http.get("/api/categories/last-minute-gifts"), 200)["name"] == "Last Minute Gifts"
