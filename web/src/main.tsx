// The storefront: the layout (header with type-ahead search, navigation, who is signed in), the
// route table and its guard, and an error boundary around every page.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import { api, call, type Schemas } from "./api";
import { auth, hasRole, type Session } from "./auth";
import { Cart, Checkout } from "./pages/cart";
import { OrderPage, Orders, ReturnPage, Returns } from "./pages/orders";
import { CategoryPage, Home, ProductPage, Search } from "./pages/shop";
import { SignIn } from "./pages/signin";
import { NewTicket, TicketPage, Tickets } from "./pages/support";
import { StaffEntry } from "./staff/entry";
import { Link, match, navigate, useLocation, type RouteDef } from "./router";
import "./styles.css";
import { ErrorBoundary } from "./ui";

// Staff console pages join this table under /staff/... with role "staff" (or "admin").
const routes: RouteDef[] = [
  { path: "/", view: () => <Home /> },
  { path: "/signin", view: () => <SignIn /> },
  { path: "/search", view: () => <Search /> },
  { path: "/categories/:id", view: (p) => <CategoryPage id={p["id"] ?? ""} /> },
  { path: "/products/:id", view: (p) => <ProductPage id={p["id"] ?? ""} /> },
  { path: "/cart", view: () => <Cart />, role: "customer" },
  { path: "/checkout", view: () => <Checkout />, role: "customer" },
  { path: "/orders", view: () => <Orders />, role: "customer" },
  { path: "/orders/:id", view: (p) => <OrderPage id={p["id"] ?? ""} />, role: "customer" },
  { path: "/orders/:id/return", view: (p) => <ReturnPage id={p["id"] ?? ""} />, role: "customer" },
  { path: "/returns", view: () => <Returns />, role: "customer" },
  { path: "/support", view: () => <Tickets />, role: "customer" },
  { path: "/support/new", view: () => <NewTicket />, role: "customer" },
  { path: "/support/:id", view: (p) => <TicketPage id={p["id"] ?? ""} />, role: "customer" },
  // The staff console (web/src/staff): its own navigation inside, loaded as a chunk of its own.
  { path: "/staff", view: () => <StaffEntry />, role: "staff" },
  { path: "/staff/:section", view: () => <StaffEntry />, role: "staff" },
  { path: "/staff/:section/:id", view: () => <StaffEntry />, role: "staff" },
];

function useSession(): Session | null {
  const [session, setSession] = useState(auth.session());
  useEffect(() => auth.subscribe(() => setSession(auth.session())), []);
  return session;
}

type Suggestion = Schemas["holidaypeak.agents.v1.Suggestion"];

function SearchBox() {
  const { path, query } = useLocation();
  const [text, setText] = useState(path === "/search" ? (query.get("q") ?? "") : "");
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const latest = useRef("");

  useEffect(() => {
    const prefix = text.trim();
    latest.current = prefix;
    if (prefix.length < 2) {
      setSuggestions([]);
      return;
    }
    const timer = setTimeout(() => {
      call(api.GET("/api/search/suggest", { params: { query: { prefix, limit: 8 } } })).then(
        (answer) => {
          if (latest.current !== prefix) return;
          setSuggestions(answer.suggestions ?? []);
          setActive(-1);
        },
        () => setSuggestions([]), // type-ahead is a help: the search itself still works without it
      );
    }, 120);
    return () => clearTimeout(timer);
  }, [text]);

  function go(suggestion: Suggestion | undefined) {
    setOpen(false);
    if (suggestion?.kind === "SUGGESTION_KIND_PRODUCT") navigate(`/products/${encodeURIComponent(suggestion.id ?? "")}`);
    else if (suggestion?.kind === "SUGGESTION_KIND_CATEGORY") navigate(`/search?category=${encodeURIComponent(suggestion.id ?? "")}`);
    else if (suggestion) navigate(`/search?q=${encodeURIComponent(suggestion.text ?? "")}`);
    else navigate(`/search?q=${encodeURIComponent(text.trim())}`);
  }

  const showing = open && suggestions.length > 0;
  return (
    <form
      role="search"
      class="search"
      onSubmit={(event) => {
        event.preventDefault();
        go(active >= 0 ? suggestions[active] : undefined);
      }}
    >
      <label for="search-input" class="visually-hidden">
        Search products
      </label>
      <input
        id="search-input"
        type="search"
        placeholder="Search lights, ornaments, gifts…"
        autocomplete="off"
        role="combobox"
        aria-expanded={showing}
        aria-controls="search-suggestions"
        aria-autocomplete="list"
        aria-activedescendant={showing && active >= 0 ? `suggestion-${active}` : undefined}
        value={text}
        onInput={(event) => {
          setText((event.target as HTMLInputElement).value);
          setOpen(true);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
            setActive((index) => Math.min(index + 1, suggestions.length - 1));
          } else if (event.key === "ArrowUp") {
            event.preventDefault();
            setActive((index) => Math.max(index - 1, -1));
          } else if (event.key === "Escape") {
            setOpen(false);
          }
        }}
      />
      <button type="submit">Search</button>
      <ul id="search-suggestions" role="listbox" aria-label="Suggestions" class="suggestions" hidden={!showing}>
        {suggestions.map((suggestion, index) => (
          <li
            id={`suggestion-${index}`}
            key={`${suggestion.kind}-${suggestion.id}-${index}`}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => {
              event.preventDefault();
              go(suggestion);
            }}
          >
            {suggestion.text}
            <span class="meta">
              {suggestion.kind === "SUGGESTION_KIND_CATEGORY"
                ? ` · category (${suggestion.product_count})`
                : suggestion.kind === "SUGGESTION_KIND_BRAND"
                  ? ` · brand (${suggestion.product_count})`
                  : ""}
            </span>
          </li>
        ))}
      </ul>
    </form>
  );
}

function Header(props: { session: Session | null; path: string }) {
  const { session, path } = props;
  const current = (href: string) => (path === href || path.startsWith(`${href}/`) ? "page" : undefined);
  return (
    <header class="top">
      <Link href="/" class="brand">
        Holiday Peak Hub
      </Link>
      <SearchBox />
      <nav aria-label="Your account">
        {session && (
          <>
            <Link href="/orders" aria-current={current("/orders")}>
              Orders
            </Link>
            <Link href="/returns" aria-current={current("/returns")}>
              Returns
            </Link>
            <Link href="/support" aria-current={current("/support")}>
              Support
            </Link>
            <Link href="/cart" aria-current={current("/cart")}>
              Cart
            </Link>
            {hasRole(session, "staff") && (
              <Link href="/staff" aria-current={current("/staff")}>
                Staff console
              </Link>
            )}
            <span class="who" data-role={session.role}>
              {session.name}
            </span>
            <button
              type="button"
              class="link"
              onClick={() => {
                void call(api.POST("/api/auth/logout", { body: {} })).catch(() => undefined);
                auth.signOut();
                navigate("/");
              }}
            >
              Sign out
            </button>
          </>
        )}
        {!session && (
          <Link href={`/signin?next=${encodeURIComponent(path)}`} aria-current={current("/signin")}>
            Sign in
          </Link>
        )}
      </nav>
    </header>
  );
}

function NotFound() {
  return (
    <section class="page" aria-labelledby="missing-title">
      <h1 id="missing-title">Page not found</h1>
      <p>
        There is no page at this address. <Link href="/">Back to the shop</Link>.
      </p>
    </section>
  );
}

function App() {
  const { path, query } = useLocation();
  const session = useSession();
  const found = match(routes, path);
  const needsSignIn = found?.route.role && !session;
  useEffect(() => {
    if (needsSignIn) navigate(`/signin?next=${encodeURIComponent(path + location.search)}`, true);
  }, [needsSignIn, path]);
  useEffect(() => {
    const heading = document.querySelector("main h1");
    document.title = heading?.textContent ? `${heading.textContent} · Holiday Peak Hub` : "Holiday Peak Hub";
  });
  let page;
  if (!found) page = <NotFound />;
  else if (needsSignIn) page = null;
  else if (found.route.role && !hasRole(session, found.route.role))
    page = (
      <section class="page">
        <h1>Not for this account</h1>
        <p>This page needs a {found.route.role} account. Sign out and sign in as one to see it.</p>
      </section>
    );
  else page = found.route.view(found.params);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header session={session} path={path} />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary resetKey={path + query.toString()}>{page}</ErrorBoundary>
      </main>
      <footer class="bottom">
        <p>Holiday Peak Hub demo store · prices in USD · <a href="/docs">API reference</a></p>
      </footer>
    </>
  );
}

render(<App />, document.getElementById("app")!);
