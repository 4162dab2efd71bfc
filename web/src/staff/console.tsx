// The staff console (loaded by entry.tsx once the role allows it): its navigation and pages, each
// page a module of this folder over the REST surface's /api/staff routes.
import type { JSX } from "preact";

import { auth, type Session } from "../auth";
import { Dashboard } from "./dashboard";
import { InventoryPage } from "./inventory";
import { OrderDetail, OrdersPage } from "./orders";
import { ProposalDetail, ProposalsPage } from "./proposals";
import { ReturnDetail, ReturnsPage } from "./returns";
import { ShipmentDetail, ShipmentsPage } from "./shipments";
import "./staff.css";
import { TicketDetail, TicketsPage } from "./tickets";
import { Link } from "./ui";

export interface PageProps {
  session: Session;
  query: URLSearchParams;
}

const SECTIONS: { path: string; label: string }[] = [
  { path: "/staff", label: "Sales" },
  { path: "/staff/orders", label: "Orders" },
  { path: "/staff/shipments", label: "Shipments" },
  { path: "/staff/tickets", label: "Tickets" },
  { path: "/staff/returns", label: "Returns" },
  { path: "/staff/inventory", label: "Low stock" },
  { path: "/staff/proposals", label: "Product proposals" },
];

/** The page of a path under /staff (its parts after /staff). */
function page(parts: string[], props: PageProps): JSX.Element {
  const [section = "", id] = parts;
  const key = id ? decodeURIComponent(id) : "";
  switch (section) {
    case "":
      return <Dashboard {...props} />;
    case "orders":
      return key ? <OrderDetail {...props} orderId={key} /> : <OrdersPage {...props} />;
    case "shipments":
      return key ? <ShipmentDetail {...props} shipmentId={key} /> : <ShipmentsPage {...props} />;
    case "tickets":
      return key ? <TicketDetail {...props} ticketId={key} /> : <TicketsPage {...props} />;
    case "returns":
      return key ? <ReturnDetail {...props} returnId={key} /> : <ReturnsPage {...props} />;
    case "inventory":
      return <InventoryPage {...props} />;
    case "proposals":
      return key ? <ProposalDetail {...props} proposalId={key} /> : <ProposalsPage {...props} />;
    default:
      return (
        <section>
          <h1>No such staff page</h1>
          <p>
            <code>/staff/{parts.join("/")}</code> is not a page of the staff console.{" "}
            <Link href="/staff">Back to sales</Link>.
          </p>
        </section>
      );
  }
}

export function StaffConsole({ path }: { path: string }): JSX.Element {
  // The router's guard let only staff and admins in; the session is there.
  const session = auth.session() as Session;
  const parts = path
    .replace(/^\/staff\/?/, "")
    .split("/")
    .filter(Boolean);
  const body = page(parts, { session, query: new URLSearchParams(location.search) });
  const current = parts.length ? `/staff/${parts[0]}` : "/staff";
  return (
    <div class="staff">
      <nav class="staff-nav" aria-label="Staff console">
        <p class="staff-nav-who">
          Staff console · {session.name} ({session.role})
        </p>
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.path}>
              <Link href={section.path} aria-current={section.path === current ? "page" : undefined}>
                {section.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div class="staff-main">{body}</div>
    </div>
  );
}
