// The Node gRPC interop check (run by tests/interop/test_node_grpc.py against `hph up`): a shopper's
// whole checkout over gRPC with the generated stubs and Connect's gRPC transport, then the errors
// a Node client must be able to read: BadRequest field violations and ErrorInfo reasons.
//
// Environment: HPH_GRPC (host:port), HPH_REST (http://host:port), HPH_CUSTOMER_TOKEN and
// HPH_STAFF_TOKEN (dev tokens of the platform's issuer; the customer's subject is not registered).
// Prints one line per step; exits 1 with the failing step's error.
import { randomUUID } from "node:crypto";

import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type CallOptions } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

import { errorInfo, fieldViolations } from "../src/grpc.js";
import { CartService } from "../src/gen/grpc/holidaypeak/commerce/v1/cart_service_pb.js";
import { CheckoutService } from "../src/gen/grpc/holidaypeak/commerce/v1/checkout_service_pb.js";
import { InventoryService } from "../src/gen/grpc/holidaypeak/commerce/v1/inventory_service_pb.js";
import { OrderStatus } from "../src/gen/grpc/holidaypeak/commerce/v1/order_pb.js";
import { OrderService } from "../src/gen/grpc/holidaypeak/commerce/v1/order_service_pb.js";
import { PaymentStatus } from "../src/gen/grpc/holidaypeak/commerce/v1/payment_pb.js";
import { PaymentService } from "../src/gen/grpc/holidaypeak/commerce/v1/payment_service_pb.js";
import { ShipmentStatus } from "../src/gen/grpc/holidaypeak/commerce/v1/shipment_pb.js";
import { ShipmentService } from "../src/gen/grpc/holidaypeak/commerce/v1/shipment_service_pb.js";
import {
  CreateAddressRequestSchema,
  UserService,
} from "../src/gen/grpc/holidaypeak/commerce/v1/user_service_pb.js";
import { OrderStatusService } from "../src/gen/grpc/holidaypeak/agents/v1/order_status_service_pb.js";
import { createRestClient } from "../src/rest.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

function step(name: string, detail: string): void {
  console.log(`ok  ${name}: ${detail}`);
}

/** The ConnectError a call must fail with; fails the journey when it succeeds instead. */
async function refusal(call: () => Promise<unknown>, what: string): Promise<ConnectError> {
  try {
    await call();
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error(`${what} succeeded but must be refused`);
}

// Loaded 2-core CI machines: generous per-call deadlines, never a timing assertion.
const CALL_TIMEOUT_MS = 30_000;
const EVENTUALLY_MS = 90_000;

/** Asks `read` until its answer passes `done` (NOT_FOUND counts as not yet), for EVENTUALLY_MS. */
async function eventually<T>(read: () => Promise<T>, done: (answer: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + EVENTUALLY_MS;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const answer = await read();
      if (done(answer)) return answer;
      last = JSON.stringify(answer, (_, value: unknown) => (typeof value === "bigint" ? String(value) : value));
    } catch (error) {
      if (ConnectError.from(error).code !== Code.NotFound) throw error;
      last = "NOT_FOUND";
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}; last answer: ${last}`);
}

async function main(): Promise<void> {
  const transport = createGrpcTransport({ baseUrl: `http://${required("HPH_GRPC")}` });
  const as = (token: string): CallOptions => ({
    headers: { authorization: `Bearer ${token}` },
    timeoutMs: CALL_TIMEOUT_MS,
  });
  const shopper = as(required("HPH_CUSTOMER_TOKEN"));
  const staff = as(required("HPH_STAFF_TOKEN"));
  const users = createClient(UserService, transport);
  const inventory = createClient(InventoryService, transport);
  const carts = createClient(CartService, transport);
  const checkout = createClient(CheckoutService, transport);
  const orders = createClient(OrderService, transport);
  const payments = createClient(PaymentService, transport);
  const shipments = createClient(ShipmentService, transport);
  const orderStatus = createClient(OrderStatusService, transport);

  const me = await users.register({ name: "Nora Node" }, shopper);
  check(me.id !== "" && me.name === "Nora Node", `registered user ${JSON.stringify(me.id)}`);
  step("register", me.id);

  const address = await users.createAddress(
    {
      name: "Nora Node",
      line1: "500 Howard St",
      city: "San Francisco",
      region: "CA",
      postalCode: "94105",
      countryCode: "US",
      requestId: randomUUID(),
    },
    shopper,
  );
  check(address.id !== "", "address id");
  step("address", address.id);

  const card = await users.createPaymentMethod({ token: "pm_card_visa", requestId: randomUUID() }, shopper);
  check(card.id !== "", "payment method id");
  step("card", `${card.id} ${card.brand} ${card.last4}`);

  // The catalog through the REST client generated from the OpenAPI document, stock over gRPC.
  const rest = createRestClient({ baseUrl: required("HPH_REST") });
  const listed = await rest.GET("/api/products", { params: { query: { limit: 50 } } });
  check(listed.response.status === 200 && listed.data !== undefined, `GET /api/products: ${listed.response.status}`);
  let sku = "";
  for (const product of listed.data.products ?? []) {
    const item = await inventory.getInventoryItem({ sku: product.id ?? "" }, staff);
    if (item.quantityAvailable >= 10) {
      sku = item.sku;
      break;
    }
  }
  check(sku !== "", "a product with 10 or more units available");

  const cart = await carts.addCartItem({ productId: sku, quantity: 2, requestId: randomUUID() }, shopper);
  check(cart.items.length === 1 && cart.items[0]?.quantity === 2, "one line of 2 in the cart");
  step("cart", `2 x ${sku}`);

  const choice = { shippingAddressId: address.id, paymentMethodId: card.id };
  const validation = await checkout.validateCheckout(choice, shopper);
  check(validation.valid, `checkout valid (errors: ${JSON.stringify(validation.errors.map((e) => e.code))})`);
  check(validation.estimatedTotalMinor > 0n, "a positive total in minor units (int64 as bigint)");
  step("validate", `total ${validation.estimatedTotalMinor} ${validation.currencyCode}`);

  const orderKey = randomUUID();
  const order = await orders.createOrder({ ...choice, requestId: orderKey }, shopper);
  check(order.status === OrderStatus.PENDING, `new order pending, got ${OrderStatus[order.status]}`);
  check(order.totalMinor === validation.estimatedTotalMinor, "order total is the validated total");
  const retried = await orders.createOrder({ ...choice, requestId: orderKey }, shopper);
  check(retried.id === order.id, "a retried CreateOrder with the same key returns the same order");
  step("order", `${order.id} (retry with the same idempotency key: same order)`);

  const payment = await payments.createPayment(
    { orderId: order.id, paymentMethodId: card.id, amountMinor: order.totalMinor, requestId: randomUUID() },
    shopper,
  );
  check(payment.status === PaymentStatus.SUCCEEDED, `payment succeeded, got ${PaymentStatus[payment.status]}`);
  const paid = await orders.getOrder({ orderId: order.id }, shopper);
  check(paid.status === OrderStatus.PAID, `order paid, got ${OrderStatus[paid.status]}`);
  step("pay", `${payment.id} ${payment.amountMinor} minor`);

  const shipment = await shipments.createShipment(
    { orderId: order.id, packageWeightGrams: 900, requestId: randomUUID() },
    staff,
  );
  await shipments.addShipmentEvent(
    {
      shipmentId: shipment.id,
      status: ShipmentStatus.PICKED_UP,
      location: "Oakland, CA",
      occurredAt: timestampFromDate(new Date()),
      requestId: randomUUID(),
    },
    staff,
  );
  const shipped = await orders.getOrder({ orderId: order.id }, shopper);
  check(shipped.status === OrderStatus.SHIPPED, `order shipped once picked up, got ${OrderStatus[shipped.status]}`);
  const tracking = await shipments.getOrderTracking({ orderId: order.id }, shopper);
  check(tracking.shipments.length === 1, "one shipment tracked");
  check(tracking.status === ShipmentStatus.PICKED_UP, `tracking picked up, got ${ShipmentStatus[tracking.status]}`);
  check((tracking.shipments[0]?.events.length ?? 0) >= 2, "label created and picked up events");
  check(tracking.estimatedDeliveryAt !== undefined, "a delivery estimate");
  // The order-status agent answers from its projection of the event log, which follows the
  // writes: ask until it has seen the pickup (NOT_FOUND until it has seen the order at all).
  const tracked = Date.now();
  const seen = ["OrderCreated", "PaymentSucceeded", "ShipmentCreated", "ShipmentStatusChanged"];
  const status = await eventually(
    () => orderStatus.getOrderStatus({ orderId: order.id }, shopper),
    (answer) =>
      answer.status === OrderStatus.SHIPPED &&
      seen.every((type) => answer.timeline.some((entry) => entry.eventType === type)),
    "the order-status timeline to show the order placed, paid, shipped and picked up",
  );
  check(status.headline !== "", "the order-status agent says where the order stands");
  step("track", `${ShipmentStatus[tracking.status]} via ${shipment.carrier}; "${status.headline}" (timeline after ${Date.now() - tracked} ms)`);

  // A bad request: INVALID_ARGUMENT with a BadRequest naming every missing required field.
  const invalid = await refusal(
    () => users.createAddress(create(CreateAddressRequestSchema, { line2: "only a second line" }), shopper),
    "an address without name, line1, city and country",
  );
  check(invalid.code === Code.InvalidArgument, `INVALID_ARGUMENT, got ${Code[invalid.code]}`);
  const fields = fieldViolations(invalid).map((violation) => violation.field);
  for (const field of ["name", "line1", "city", "country_code"]) {
    check(fields.includes(field), `a field violation for ${field} (got ${JSON.stringify(fields)})`);
  }
  check(errorInfo(invalid)?.reason === "VALIDATION_FAILED", "ErrorInfo reason VALIDATION_FAILED");
  step("bad request", `INVALID_ARGUMENT, BadRequest fields ${fields.join(", ")}`);

  // Business refusals: the cart is empty now, and a shopper may not ship parcels.
  const empty = await refusal(
    () => orders.createOrder({ ...choice, requestId: randomUUID() }, shopper),
    "an order from an empty cart",
  );
  const emptyInfo = errorInfo(empty);
  check(empty.code === Code.FailedPrecondition, `FAILED_PRECONDITION, got ${Code[empty.code]}`);
  check(emptyInfo?.reason === "CART_EMPTY", `reason CART_EMPTY, got ${emptyInfo?.reason}`);
  check(emptyInfo.domain === "holidaypeak.hub", `domain holidaypeak.hub, got ${emptyInfo.domain}`);
  step("business failure", `FAILED_PRECONDITION, ErrorInfo ${emptyInfo.reason} (${emptyInfo.domain})`);

  const denied = await refusal(
    () => shipments.createShipment({ orderId: order.id, packageWeightGrams: 900, requestId: randomUUID() }, shopper),
    "a shipment created by a shopper",
  );
  const deniedInfo = errorInfo(denied);
  check(denied.code === Code.PermissionDenied, `PERMISSION_DENIED, got ${Code[denied.code]}`);
  check(deniedInfo?.reason === "ROLE_REQUIRED", `reason ROLE_REQUIRED, got ${deniedInfo?.reason}`);
  check(deniedInfo.metadata["required_role"] === "staff", "metadata required_role=staff");
  step("role refusal", `PERMISSION_DENIED, ErrorInfo ${deniedInfo.reason} required_role=staff`);
}

main().then(
  () => console.log("checkout journey over gRPC from Node: all steps passed"),
  (error: unknown) => {
    const connect = error instanceof ConnectError ? ` [${Code[error.code]}: ${JSON.stringify(error.details)}]` : "";
    console.error(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${connect}`);
    process.exitCode = 1;
  },
);
