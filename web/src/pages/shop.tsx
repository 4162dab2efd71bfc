// Browsing: home (featured categories, seasonal picks), search with facets, category pages and the
// product page with its insights (rating histogram, highlights, bought together, similar).
import { useState } from "preact/hooks";

import { api, call, money, type Schemas } from "../api";
import { auth } from "../auth";
import { Link, navigate, useLocation } from "../router";
import { ErrorNote, fieldErrors, Loading, Stars, Swatch, useLoad } from "../ui";

type Hit = Schemas["holidaypeak.agents.v1.SearchHit"];
type Suggestion = Schemas["holidaypeak.agents.v1.ProductSuggestion"];

function HitCard(props: { hit: Hit }) {
  const hit = props.hit;
  return (
    <li class="card">
      <Link href={`/products/${encodeURIComponent(hit.product_id ?? "")}`}>
        <Swatch id={hit.product_id} name={hit.name} />
        <span class="name">{hit.name}</span>
      </Link>
      <span class="price">{money(hit.price, hit.currency_code)}</span>
      <span class="meta">
        {hit.brand} · {hit.in_stock ? "In stock" : <span class="warn">Out of stock</span>}
      </span>
      {(hit.review_count ?? 0) > 0 && <Stars rating={hit.rating} count={hit.review_count} />}
    </li>
  );
}

function SuggestionCard(props: { item: Suggestion }) {
  const product = props.item.product;
  return (
    <li class="card">
      <Link href={`/products/${encodeURIComponent(product?.product_id ?? "")}`}>
        <Swatch id={product?.product_id} name={product?.name} />
        <span class="name">{product?.name}</span>
      </Link>
      <span class="price">{money(product?.price?.amount, product?.price?.currency_code)}</span>
      {props.item.reason && <span class="meta">{props.item.reason}</span>}
    </li>
  );
}

export function Home() {
  const categories = useLoad(() => call(api.GET("/api/categories", {})), []);
  const picks = useLoad(
    () => call(api.GET("/api/search", { params: { query: { q: "holiday gift", in_stock: true, page_size: 8 } } })),
    [],
  );
  const top = (categories.data?.categories ?? []).filter((category) => !category.parent_id);
  return (
    <section class="page" aria-labelledby="home-title">
      <div class="hero">
        <h1 id="home-title">Everything for the holidays</h1>
        <p>Lights, ornaments, gifts and the kitchen for the feast, delivered before the big day.</p>
      </div>
      <h2>Featured categories</h2>
      {categories.loading && !categories.data && <Loading what="categories" />}
      <ErrorNote error={categories.error} onRetry={categories.reload} />
      <ul class="categories">
        {top.map((category) => (
          <li key={category.id}>
            <Link href={`/categories/${encodeURIComponent(category.id ?? "")}`}>
              <Swatch id={category.id} name={category.name} size="small" />
              <span>{category.name}</span>
            </Link>
          </li>
        ))}
      </ul>
      <h2>Seasonal picks</h2>
      {picks.loading && !picks.data && <Loading what="seasonal picks" />}
      <ErrorNote error={picks.error} onRetry={picks.reload} />
      <ul class="grid">
        {(picks.data?.hits ?? []).map((hit) => (
          <HitCard key={hit.product_id} hit={hit} />
        ))}
      </ul>
    </section>
  );
}

function searchHref(query: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(query);
  next.delete("page_token");
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  return `/search?${next.toString()}`;
}

export function Search() {
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const category = query.get("category") ?? "";
  const brands = query.getAll("brand");
  const inStock = query.get("in_stock") === "true";
  const key = query.toString();
  const results = useLoad(
    () =>
      call(
        api.GET("/api/search", {
          params: {
            query: {
              q,
              category: category || undefined,
              brand: brands.length ? brands : undefined,
              in_stock: inStock || undefined,
              page_size: 24,
            },
          },
        }),
      ),
    [key],
  );
  const data = results.data;
  const rewrites = data?.interpretation?.rewrites ?? [];
  return (
    <section class="page with-aside" aria-labelledby="search-title">
      <h1 id="search-title">{q ? `Results for “${q}”` : "All products"}</h1>
      <aside aria-label="Filters">
        <label class="check">
          <input
            type="checkbox"
            checked={inStock}
            onChange={() => navigate(searchHref(query, { in_stock: inStock ? null : "true" }))}
          />
          In stock only
        </label>
        {(data?.facets ?? []).map((facet) => (
          <fieldset key={facet.name} class="facet">
            <legend>{facet.name === "category" ? "Category" : facet.name === "brand" ? "Brand" : facet.name}</legend>
            {(facet.values ?? []).slice(0, 10).map((value) => {
              const selected =
                facet.name === "brand" ? brands.includes(value.value ?? "") : facet.name === "category" && category === value.value;
              const toggle = () => {
                if (facet.name === "brand") {
                  const next = new URLSearchParams(query);
                  next.delete("brand");
                  const chosen = selected ? brands.filter((b) => b !== value.value) : [...brands, value.value ?? ""];
                  for (const brand of chosen) next.append("brand", brand);
                  navigate(`/search?${next.toString()}`);
                } else if (facet.name === "category") {
                  navigate(searchHref(query, { category: selected ? null : (value.value ?? "") }));
                }
              };
              return (
                <label class="check" key={value.value}>
                  <input type="checkbox" checked={selected} onChange={toggle} />
                  {value.label || value.value} <span class="count">({value.count})</span>
                </label>
              );
            })}
          </fieldset>
        ))}
      </aside>
      <div>
        {results.loading && <Loading what="results" />}
        <ErrorNote error={results.error} onRetry={results.reload} />
        {data && (
          <p class="summary" role="status">
            {data.total_size ?? 0} products
            {rewrites.length > 0 && ` (searched for “${data.interpretation?.effective}”)`}
          </p>
        )}
        {data && (data.hits ?? []).length === 0 && <p>Nothing matched. Try fewer words or remove a filter.</p>}
        <ul class="grid">
          {(data?.hits ?? []).map((hit) => (
            <HitCard key={hit.product_id} hit={hit} />
          ))}
        </ul>
      </div>
    </section>
  );
}

export function CategoryPage(props: { id: string }) {
  const category = useLoad(
    () => call(api.GET("/api/categories/{category_id}", { params: { path: { category_id: props.id } } })),
    [props.id],
  );
  const children = useLoad(() => call(api.GET("/api/categories", { params: { query: { parent_id: props.id } } })), [props.id]);
  const products = useLoad(
    () => call(api.GET("/api/products", { params: { query: { category: props.id, limit: 24 } } })),
    [props.id],
  );
  return (
    <section class="page" aria-labelledby="category-title">
      <h1 id="category-title">{category.data?.name ?? "Category"}</h1>
      <ErrorNote error={category.error} />
      {category.data?.description && <p>{category.data.description}</p>}
      {(children.data?.categories ?? []).length > 0 && (
        <nav aria-label="Subcategories" class="chips">
          {(children.data?.categories ?? []).map((child) => (
            <Link key={child.id} href={`/categories/${encodeURIComponent(child.id ?? "")}`}>
              {child.name}
            </Link>
          ))}
        </nav>
      )}
      {products.loading && !products.data && <Loading what="products" />}
      <ErrorNote error={products.error} onRetry={products.reload} />
      <ul class="grid">
        {(products.data?.products ?? []).map((product) => (
          <li class="card" key={product.id}>
            <Link href={`/products/${encodeURIComponent(product.id ?? "")}`}>
              <Swatch id={product.id} name={product.name} />
              <span class="name">{product.name}</span>
            </Link>
            <span class="price">{money(product.price, product.currency_code)}</span>
            <span class="meta">
              {product.brand} · {product.in_stock ? "In stock" : <span class="warn">Out of stock</span>}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ProductPage(props: { id: string }) {
  const path = { params: { path: { product_id: props.id } } };
  const product = useLoad(() => call(api.GET("/api/products/{product_id}", path)), [props.id]);
  const insights = useLoad(() => call(api.GET("/api/products/{product_id}/insights", path)), [props.id]);
  const reviews = useLoad(
    () => call(api.GET("/api/reviews", { params: { query: { product_id: props.id, page_size: 10 } } })),
    [props.id],
  );
  const [quantity, setQuantity] = useState(1);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState("");
  const [error, setError] = useState<unknown>(null);

  async function addToCart() {
    if (!auth.session()) {
      navigate(`/signin?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    setAdding(true);
    setError(null);
    setAdded("");
    try {
      const cart = await call(api.POST("/api/cart/items", { body: { product_id: props.id, quantity } }));
      setAdded(`Added to your cart (${cart.item_count ?? 0} items).`);
    } catch (failure) {
      setError(failure);
    } finally {
      setAdding(false);
    }
  }

  if (product.error) {
    return (
      <section class="page" aria-labelledby="product-title">
        <h1 id="product-title">Product not available</h1>
        <ErrorNote error={product.error} onRetry={product.reload} />
        <Link href="/search">Browse all products</Link>
      </section>
    );
  }
  const p = product.data;
  const rating = insights.data?.rating;
  const stock = insights.data?.availability;
  const archived = p?.status === "PRODUCT_STATUS_ARCHIVED";
  return (
    <section class="page" aria-labelledby="product-title">
      {!p && <Loading what="the product" />}
      {p && (
        <div class="product">
          <Swatch id={p.id} name={p.name} />
          <div>
            <h1 id="product-title">{p.name}</h1>
            <p class="meta">
              {p.brand} · <Link href={`/categories/${encodeURIComponent(p.category_id ?? "")}`}>More in this category</Link>
            </p>
            <p class="price big">{money(p.price, p.currency_code)}</p>
            <p class="stock" role="status">
              {archived
                ? "No longer sold."
                : stock
                  ? stock.in_stock
                    ? stock.low_stock
                      ? `Only ${stock.quantity_available} left`
                      : "In stock"
                    : "Out of stock"
                  : ""}
            </p>
            <p>{p.description}</p>
            <form
              class="add"
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                void addToCart();
              }}
            >
              <label for="quantity">Quantity</label>
              <input
                id="quantity"
                type="number"
                min={1}
                max={99}
                value={quantity}
                aria-invalid={fieldErrors(error)["quantity"] ? "true" : undefined}
                aria-describedby={fieldErrors(error)["quantity"] ? "quantity-error" : undefined}
                onInput={(event) => setQuantity(Math.trunc(Number((event.target as HTMLInputElement).value)) || 0)}
              />
              <button type="submit" disabled={adding || archived}>
                {adding ? "Adding…" : "Add to cart"}
              </button>
            </form>
            {fieldErrors(error)["quantity"] && (
              <p class="field-error" id="quantity-error" data-field="quantity">
                {fieldErrors(error)["quantity"]}
              </p>
            )}
            {added && (
              <p class="ok" role="status">
                {added} <Link href="/cart">View cart</Link>
              </p>
            )}
            <ErrorNote error={error} fields={["quantity"]} />
          </div>
        </div>
      )}
      <div class="columns">
        <section aria-labelledby="ratings-title">
          <h2 id="ratings-title">Ratings</h2>
          <ErrorNote error={insights.error} onRetry={insights.reload} />
          {rating && (
            <>
              <p>
                <Stars rating={rating.mean} count={rating.count} />{" "}
                {rating.count ? `${(rating.mean ?? 0).toFixed(1)} of 5 · ${rating.count} reviews` : ""}
              </p>
              <table class="histogram">
                <caption class="visually-hidden">Reviews per star rating</caption>
                <tbody>
                  {(rating.histogram ?? []).map((bucket) => (
                    <tr key={bucket.stars}>
                      <th scope="row">{bucket.stars} ★</th>
                      <td>
                        <span class="bar" style={{ width: `${Math.round((bucket.share ?? 0) * 100)}%` }} />
                      </td>
                      <td>{bucket.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {(insights.data?.highlights ?? []).length > 0 && (
            <ul class="highlights">
              {(insights.data?.highlights ?? []).map((highlight) => (
                <li key={highlight.phrase}>
                  “{highlight.phrase}” · {highlight.mention_count} mentions
                </li>
              ))}
            </ul>
          )}
          <h2>Reviews</h2>
          <ErrorNote error={reviews.error} onRetry={reviews.reload} />
          {reviews.data && (reviews.data.reviews ?? []).length === 0 && <p>No reviews yet.</p>}
          <ul class="reviews">
            {(reviews.data?.reviews ?? []).map((review) => (
              <li key={review.id}>
                <Stars rating={review.rating} count={1} /> <strong>{review.title}</strong>
                <p>{review.comment}</p>
                <p class="meta">{review.author_name}</p>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="together-title">
          <h2 id="together-title">Frequently bought together</h2>
          {insights.data && (insights.data.frequently_bought_together ?? []).length === 0 && (
            <p>Not enough orders with this product yet.</p>
          )}
          <ul class="grid small">
            {(insights.data?.frequently_bought_together ?? []).map((item) => (
              <SuggestionCard key={item.product?.product_id} item={item} />
            ))}
          </ul>
          <h2>Similar products</h2>
          <ul class="grid small">
            {(insights.data?.similar ?? []).slice(0, 4).map((item) => (
              <SuggestionCard key={item.product?.product_id} item={item} />
            ))}
          </ul>
        </section>
      </div>
    </section>
  );
}

