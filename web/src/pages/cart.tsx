// The cart (with the cart-intelligence agent's reading of it) and checkout: address, card and
// shipping choice, the platform's validation (errors, warnings, risk outcome) shown as it says
// them, then the order and its payment. A declined card leaves the order pending: the shopper
// chooses another card and pays the same order again.
import { useEffect, useState } from "preact/hooks";

import { api, ApiError, call, date, enumLabel, money, requestId, type Schemas } from "../api";
import { Link, navigate } from "../router";
import { ErrorNote, Field, fieldErrors, Loading, Swatch, useLoad } from "../ui";

type Order = Schemas["holidaypeak.commerce.v1.Order"];
type Validation = Schemas["holidaypeak.commerce.v1.ValidateCheckoutResponse"];
type NewAddress = Schemas["holidaypeak.commerce.v1.CreateAddressRequest"];

export function Cart() {
  const cart = useLoad(() => call(api.GET("/api/cart", {})), []);
  const insights = useLoad(() => call(api.GET("/api/cart/insights", {})), [cart.data?.etag]);
  const [error, setError] = useState<unknown>(null);

  async function setQuantity(productId: string, quantity: number) {
    setError(null);
    try {
      await call(
        api.PATCH("/api/cart/items/{product_id}", {
          params: { path: { product_id: productId } },
          body: { product_id: productId, quantity },
        }),
      );
      cart.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  const items = cart.data?.items ?? [];
  const risk = insights.data;
  return (
    <section class="page" aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      {cart.loading && !cart.data && <Loading what="your cart" />}
      <ErrorNote error={cart.error ?? error} onRetry={cart.error ? cart.reload : undefined} />
      {cart.data && items.length === 0 && (
        <p>
          Your cart is empty. <Link href="/">Find something festive</Link>.
        </p>
      )}
      {items.length > 0 && (
        <table class="lines">
          <caption class="visually-hidden">Items in your cart</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Price</th>
              <th scope="col">Quantity</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.product_id}>
                <td>
                  <Link href={`/products/${encodeURIComponent(item.product_id)}`}>{item.name}</Link>
                  {item.price_changed && (
                    <p class="warn">
                      Price changed from {money(item.price, cart.data?.currency_code)} since you added it.
                    </p>
                  )}
                  {item.availability_warning && <p class="warn">{item.availability_warning}</p>}
                </td>
                <td>{money(item.current_price, cart.data?.currency_code)}</td>
                <td>
                  <label class="visually-hidden" for={`qty-${item.product_id}`}>
                    Quantity of {item.name}
                  </label>
                  <select
                    id={`qty-${item.product_id}`}
                    value={String(item.quantity)}
                    onChange={(event) =>
                      void setQuantity(item.product_id, Number((event.target as HTMLSelectElement).value))
                    }
                  >
                    {Array.from({ length: Math.max(10, item.quantity) + 1 }, (_, n) => (
                      <option key={n} value={String(n)}>
                        {n === 0 ? "0 (remove)" : n}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{money(item.line_total, cart.data?.currency_code)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items.length > 0 && (
        <div class="cart-footer">
          <p class="price big">Subtotal {money(cart.data?.subtotal, cart.data?.currency_code)}</p>
          <Link href="/checkout" class="button">
            Check out
          </Link>
        </div>
      )}
      {items.length > 0 && (
        <section class="insights" aria-labelledby="cart-insights-title">
          <h2 id="cart-insights-title">About your cart</h2>
          <ErrorNote error={insights.error} onRetry={insights.reload} />
          {risk && (
            <>
              <p>{risk.explanation?.summary}</p>
              {(risk.actions ?? []).length > 0 && (
                <ul>
                  {(risk.actions ?? []).map((action) => (
                    <li key={action.code}>{action.description}</li>
                  ))}
                </ul>
              )}
              {(risk.lines ?? [])
                .filter((line) => line.out_of_stock || (line.stock_risk ?? 0) >= 0.5)
                .map((line) => (
                  <p class="warn" key={line.product_id}>
                    {line.product_id}: {line.out_of_stock ? "out of stock" : `only ${line.quantity_available} left`}
                  </p>
                ))}
            </>
          )}
        </section>
      )}
    </section>
  );
}

const TEST_CARDS = [
  { token: "pm_card_visa", label: "Visa ending 4242: succeeds" },
  { token: "pm_card_mastercard", label: "Mastercard ending 4444: succeeds" },
  { token: "pm_card_chargeDeclined", label: "Visa ending 0002: is declined" },
  { token: "pm_card_authenticationRequired", label: "Visa ending 3184: needs authentication" },
];

const COUNTRIES = [
  ["US", "United States"],
  ["CA", "Canada"],
  ["GB", "United Kingdom"],
  ["AU", "Australia"],
  ["DE", "Germany"],
  ["FR", "France"],
  ["NL", "Netherlands"],
  ["JP", "Japan"],
] as const;

const ADDRESS_FIELDS = ["name", "line1", "line2", "city", "country_code", "region", "postal_code", "phone"];

const REGION_LABEL: Record<string, string> = {
  US: "State",
  CA: "Province",
  AU: "State or territory",
};

function AddressForm(props: { onSaved: (id: string) => void; onCancel: () => void }) {
  const [address, setAddress] = useState<NewAddress>({
    name: "",
    line1: "",
    line2: "",
    city: "",
    region: "",
    postal_code: "",
    country_code: "US",
    phone: "",
  });
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const errors = fieldErrors(error);
  const input = (name: keyof NewAddress, extra: Record<string, unknown> = {}) => ({
    value: String(address[name] ?? ""),
    onInput: (event: Event) => setAddress({ ...address, [name]: (event.target as HTMLInputElement).value }),
    ...extra,
  });

  async function save(event: Event) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const saved = await call(api.POST("/api/users/me/addresses", { body: address }));
      props.onSaved(saved.id ?? "");
    } catch (failure) {
      setError(failure);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form class="address-form" onSubmit={save} noValidate aria-label="New address">
      <ErrorNote error={error} fields={ADDRESS_FIELDS} />
      <Field name="name" label="Full name" error={errors["name"]} input={input("name", { autocomplete: "name" })} />
      <Field name="line1" label="Address" error={errors["line1"]} input={input("line1", { autocomplete: "address-line1" })} />
      <Field
        name="line2"
        label="Apartment, suite (optional)"
        error={errors["line2"]}
        input={input("line2", { autocomplete: "address-line2" })}
      />
      <Field name="city" label="City" error={errors["city"]} input={input("city", { autocomplete: "address-level2" })} />
      <Field name="country_code" label="Country" error={errors["country_code"]}>
        <select
          id="field-country_code"
          value={address.country_code}
          onChange={(event) => setAddress({ ...address, country_code: (event.target as HTMLSelectElement).value })}
        >
          {COUNTRIES.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
      </Field>
      <Field
        name="region"
        label={REGION_LABEL[address.country_code] ?? "Region (if your address has one)"}
        error={errors["region"]}
        input={input("region", { autocomplete: "address-level1" })}
      />
      <Field
        name="postal_code"
        label="Postal code"
        error={errors["postal_code"]}
        input={input("postal_code", { autocomplete: "postal-code" })}
      />
      <Field name="phone" label="Phone (optional)" error={errors["phone"]} input={input("phone", { autocomplete: "tel", type: "tel" })} />
      <div class="actions">
        <button type="submit" disabled={saving}>
          {saving ? "Saving…" : "Save address"}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Issues(props: { validation: Validation | undefined }) {
  const v = props.validation;
  if (!v) return null;
  const risk = v.risk_assessment;
  return (
    <div class="issues">
      {(v.errors ?? []).map((issue, index) => (
        <p class="error-line" role="alert" key={`e${index}`}>
          <strong>Cannot order yet:</strong> {issue.message}
          {issue.field ? ` (${issue.field})` : ""}
        </p>
      ))}
      {(v.warnings ?? []).map((issue, index) => (
        <p class="warn" key={`w${index}`}>
          <strong>Note:</strong> {issue.message}
        </p>
      ))}
      {risk?.decision && (
        <p class={`risk risk-${risk.decision}`} data-decision={risk.decision}>
          <strong>Order check: </strong>
          {risk.decision === "approve"
            ? "approved"
            : risk.decision === "review"
              ? "this order will be reviewed by our team before it ships"
              : "this order cannot be accepted"}
          <span class="meta"> ({risk.summary})</span>
        </p>
      )}
      {(v.skipped_checks ?? []).length > 0 && (
        <p class="meta">Some checks could not run just now: {(v.skipped_checks ?? []).join(", ")}.</p>
      )}
    </div>
  );
}

export function Checkout() {
  const addresses = useLoad(() => call(api.GET("/api/users/me/addresses", {})), []);
  const cards = useLoad(() => call(api.GET("/api/users/me/payment-methods", {})), []);
  const cart = useLoad(() => call(api.GET("/api/cart", {})), []);
  const [addressId, setAddressId] = useState("");
  const [cardId, setCardId] = useState("");
  const [shipping, setShipping] = useState("standard");
  const [addingAddress, setAddingAddress] = useState(false);
  const [newCard, setNewCard] = useState(TEST_CARDS[0]!.token);
  const [cardError, setCardError] = useState<unknown>(null);
  const [validation, setValidation] = useState<Validation>();
  const [validationError, setValidationError] = useState<unknown>(null);
  const [order, setOrder] = useState<Order | null>(null);
  const [payError, setPayError] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const list = addresses.data?.addresses ?? [];
    if (!addressId && list.length) setAddressId((list.find((a) => a.is_default) ?? list[0])?.id ?? "");
  }, [addresses.data]);
  useEffect(() => {
    const list = cards.data?.payment_methods ?? [];
    if (!cardId && list.length) setCardId((list.find((c) => c.is_default) ?? list[0])?.id ?? "");
  }, [cards.data]);
  useEffect(() => {
    if (!addressId || order) return;
    let live = true;
    setValidationError(null);
    call(
      api.POST("/api/checkout/validate", {
        body: { shipping_address_id: addressId, payment_method_id: cardId || undefined, shipping_option: shipping },
      }),
    ).then(
      (answer) => live && setValidation(answer),
      (failure: unknown) => live && setValidationError(failure),
    );
    return () => {
      live = false;
    };
  }, [addressId, cardId, shipping, order]);

  async function saveCard() {
    setCardError(null);
    try {
      const saved = await call(api.POST("/api/users/me/payment-methods", { body: { token: newCard } }));
      cards.reload();
      setCardId(saved.id ?? "");
    } catch (failure) {
      setCardError(failure);
    }
  }

  async function pay(target: Order) {
    const payment = await call(
      api.POST("/api/payments", {
        body: {
          order_id: target.id ?? "",
          payment_method_id: cardId,
          amount_minor: target.total_minor,
          currency_code: target.currency_code,
          request_id: requestId("pay"),
        },
      }),
    );
    if (payment.status === "PAYMENT_STATUS_SUCCEEDED") {
      navigate(`/orders/${encodeURIComponent(target.id ?? "")}?placed=1`);
      return;
    }
    setOrder(target);
    if (payment.status === "PAYMENT_STATUS_REQUIRES_ACTION") {
      setPayError(
        "Your bank wants to confirm this payment (card authentication), which this store's test mode cannot do. " +
          "Your order is saved: choose another card and pay again.",
      );
    } else {
      setPayError(
        `Payment failed: ${payment.failure_message || "the card was not charged"}` +
          `${payment.failure_code ? ` (${payment.failure_code})` : ""}. ` +
          "Your order is saved: choose another card and pay again.",
      );
    }
  }

  async function placeOrder(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setPayError("");
    try {
      if (order) {
        await pay(order);
        return;
      }
      const placed = await call(
        api.POST("/api/orders", {
          body: {
            shipping_address_id: addressId,
            payment_method_id: cardId,
            shipping_option: shipping,
            expected_total_minor: validation?.estimated_total_minor,
            request_id: requestId("order"),
          },
        }),
      );
      await pay(placed);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const addressList = addresses.data?.addresses ?? [];
  const cardList = cards.data?.payment_methods ?? [];
  const empty = cart.data && (cart.data.items ?? []).length === 0 && !order;
  const errors = fieldErrors(error);
  return (
    <section class="page" aria-labelledby="checkout-title">
      <h1 id="checkout-title">Checkout</h1>
      <ErrorNote error={addresses.error ?? cards.error ?? cart.error} />
      {empty && (
        <p>
          Your cart is empty. <Link href="/">Keep shopping</Link>.
        </p>
      )}
      {!empty && (
        <form onSubmit={placeOrder} noValidate>
          <fieldset disabled={order !== null}>
            <legend>Ship to</legend>
            {addresses.loading && !addresses.data && <Loading what="your addresses" />}
            {addressList.map((a) => (
              <label class="choice" key={a.id}>
                <input
                  type="radio"
                  name="address"
                  value={a.id}
                  checked={addressId === a.id}
                  onChange={() => setAddressId(a.id ?? "")}
                />
                {a.name}, {a.line1}
                {a.line2 ? `, ${a.line2}` : ""}, {a.city} {a.region} {a.postal_code}, {a.country_code}
              </label>
            ))}
            {errors["shipping_address_id"] && <p class="field-error">{errors["shipping_address_id"]}</p>}
            {!addingAddress && (
              <button type="button" class="secondary" onClick={() => setAddingAddress(true)}>
                Add a new address
              </button>
            )}
          </fieldset>
          {addingAddress && (
            <AddressForm
              onCancel={() => setAddingAddress(false)}
              onSaved={(id) => {
                setAddingAddress(false);
                setAddressId(id);
                addresses.reload();
              }}
            />
          )}
          <fieldset>
            <legend>Pay with</legend>
            {cardList.map((card) => (
              <label class="choice" key={card.id}>
                <input
                  type="radio"
                  name="card"
                  value={card.id}
                  checked={cardId === card.id}
                  onChange={() => setCardId(card.id ?? "")}
                />
                {enumLabel(card.brand, "")} ending {card.last4} · expires {card.exp_month}/{card.exp_year}
                {card.label ? ` · ${card.label}` : ""}
              </label>
            ))}
            {errors["payment_method_id"] && <p class="field-error">{errors["payment_method_id"]}</p>}
            <div class="inline">
              <label for="test-card">Add a test card</label>
              <select id="test-card" value={newCard} onChange={(e) => setNewCard((e.target as HTMLSelectElement).value)}>
                {TEST_CARDS.map((card) => (
                  <option key={card.token} value={card.token}>
                    {card.label}
                  </option>
                ))}
              </select>
              <button type="button" class="secondary" onClick={() => void saveCard()}>
                Save card
              </button>
            </div>
            <ErrorNote error={cardError} />
          </fieldset>
          <fieldset disabled={order !== null}>
            <legend>Delivery</legend>
            {(validation?.shipping_options ?? []).map((option) => (
              <label class="choice" key={option.id}>
                <input
                  type="radio"
                  name="shipping"
                  value={option.id}
                  checked={shipping === option.id}
                  onChange={() => setShipping(option.id ?? "standard")}
                />
                {option.name} · {money(option.amount, option.currency_code)} · arrives{" "}
                {date(option.earliest_delivery_at)} – {date(option.latest_delivery_at)}
              </label>
            ))}
          </fieldset>
          <section class="summary-box" aria-labelledby="summary-title">
            <h2 id="summary-title">Order summary</h2>
            {order ? (
              <p>
                Order {order.id}: {money(order.total, order.currency_code)} (awaiting payment)
              </p>
            ) : (
              validation && (
                <dl>
                  <dt>Items</dt>
                  <dd>{money(validation.subtotal, validation.currency_code)}</dd>
                  <dt>Shipping</dt>
                  <dd>{money(validation.estimated_shipping, validation.currency_code)}</dd>
                  <dt>Tax</dt>
                  <dd>{money(validation.estimated_tax, validation.currency_code)}</dd>
                  <dt>Total</dt>
                  <dd class="price">{money(validation.estimated_total, validation.currency_code)}</dd>
                </dl>
              )
            )}
            {!order && <Issues validation={validation} />}
            <ErrorNote error={validationError} />
          </section>
          {payError && (
            <div class="error" role="alert" id="payment-error">
              <p>{payError}</p>
            </div>
          )}
          <ErrorNote error={error} fields={["shipping_address_id", "payment_method_id"]} />
          {error instanceof ApiError && error.reason === "AMOUNT_MISMATCH" && (
            <p class="hint">Prices changed while you were checking out: review the new total and place the order again.</p>
          )}
          <button
            type="submit"
            class="primary"
            disabled={busy || !addressId || !cardId || (!order && validation?.valid === false)}
          >
            {busy ? "Working…" : order ? "Pay for this order" : "Place order and pay"}
          </button>
        </form>
      )}
    </section>
  );
}
