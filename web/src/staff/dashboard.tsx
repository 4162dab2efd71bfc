// Sales: today's figures, revenue over time (the chart), top products and top categories, from the
// analytics service (GET /api/staff/analytics/summary, /timeseries, /categories). Figures of
// today refresh every 30 s while the page is open, so a sale shows up without a reload.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";

import { api, call, money } from "../api";
import { RevenueChart, type Series } from "./chart";
import type { PageProps } from "./console";
import { count, percent, utcDay } from "./format";
import { ErrorNote, Loading, useLoad } from "./ui";

type Granularity = "GRANULARITY_DAY" | "GRANULARITY_WEEK" | "GRANULARITY_MONTH";

const RANGES: { days: number; label: string; granularity: Granularity }[] = [
  { days: 14, label: "Last 14 days", granularity: "GRANULARITY_DAY" },
  { days: 30, label: "Last 30 days", granularity: "GRANULARITY_DAY" },
  { days: 90, label: "Last 13 weeks", granularity: "GRANULARITY_WEEK" },
  { days: 365, label: "Last 12 months", granularity: "GRANULARITY_MONTH" },
];

export function Dashboard(_props: PageProps): JSX.Element {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);
  const today = utcDay();
  const todays = useLoad(
    () =>
      call(
        api.GET("/api/staff/analytics/summary", {
          params: { query: { from_date: today, to_date: today, top_products_limit: 5 } },
        }),
      ),
    [`${today}:${tick}`],
  );
  const s = todays.data;
  return (
    <section class="staff-page">
      <h1>Sales</h1>
      <section aria-labelledby="today-heading" class="staff-card">
        <div class="staff-card-head">
          <h2 id="today-heading">Today ({today}, UTC)</h2>
          <button type="button" onClick={todays.reload} disabled={todays.loading}>
            Refresh
          </button>
        </div>
        <ErrorNote error={todays.error} />
        {s ? (
          <dl class="staff-figures" data-testid="today-figures">
            <div>
              <dt>Revenue</dt>
              <dd data-testid="today-revenue">{money(s.total_revenue, s.currency_code)}</dd>
            </div>
            <div>
              <dt>Orders</dt>
              <dd data-testid="today-orders">{count(s.total_orders)}</dd>
            </div>
            <div>
              <dt>Average order</dt>
              <dd>{money(s.average_order_value, s.currency_code)}</dd>
            </div>
            <div>
              <dt>Refunds</dt>
              <dd>{money(s.refunds_total, s.currency_code)}</dd>
            </div>
            <div>
              <dt>Net revenue</dt>
              <dd>{money(s.net_revenue, s.currency_code)}</dd>
            </div>
          </dl>
        ) : todays.loading ? (
          <Loading what="today's sales" />
        ) : null}
      </section>
      <RevenueOverTime />
      <TopSellers />
    </section>
  );
}

function RevenueOverTime(): JSX.Element {
  const [rangeIndex, setRangeIndex] = useState(1);
  const range = RANGES[rangeIndex] ?? RANGES[1]!;
  const from = utcDay(-(range.days - 1));
  const to = utcDay();
  const loaded = useLoad(
    () =>
      call(
        api.GET("/api/staff/analytics/timeseries", {
          params: { query: { granularity: range.granularity, from_date: from, to_date: to } },
        }),
      ),
    [`${range.granularity}:${from}:${to}`],
  );
  const points = loaded.data?.points ?? [];
  const currency = loaded.data?.currency_code ?? "USD";
  const series = useMemo<Series>(
    () => ({
      times: points.map((p) => Date.parse(p.period_start_at ?? "") / 1000),
      revenue: points.map((p) => p.revenue ?? 0),
      orders: points.map((p) => count(p.orders)),
    }),
    [loaded.data],
  );
  const total = points.reduce((sum, p) => sum + (p.revenue ?? 0), 0);
  return (
    <section aria-labelledby="revenue-heading" class="staff-card">
      <div class="staff-card-head">
        <h2 id="revenue-heading">Revenue over time</h2>
        <label>
          Period{" "}
          <select value={String(rangeIndex)} onChange={(event) => setRangeIndex(Number(event.currentTarget.value))}>
            {RANGES.map((r, index) => (
              <option key={r.label} value={String(index)}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading what="the revenue chart" /> : null}
      {loaded.data ? (
        <>
          <RevenueChart
            series={series}
            currency={currency}
            label={`Revenue per ${range.granularity.replace("GRANULARITY_", "").toLowerCase()} from ${from} to ${to}: ${money(total, currency)} in all`}
          />
          <details>
            <summary>The figures as a table</summary>
            <table class="staff-table">
              <caption class="visually-hidden">Revenue and orders per period</caption>
              <thead>
                <tr>
                  <th scope="col">Period from</th>
                  <th scope="col">Revenue</th>
                  <th scope="col">Orders</th>
                  <th scope="col">Refunds</th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.period_start_at}>
                    <td>{(p.period_start_at ?? "").slice(0, 10)}</td>
                    <td>{money(p.revenue, currency)}</td>
                    <td>{count(p.orders)}</td>
                    <td>{money(p.refunds, currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      ) : null}
    </section>
  );
}

function TopSellers(): JSX.Element {
  const from = utcDay(-29);
  const to = utcDay();
  const summary = useLoad(
    () =>
      call(
        api.GET("/api/staff/analytics/summary", {
          params: { query: { from_date: from, to_date: to, top_products_limit: 10 } },
        }),
      ),
    [`${from}:${to}`],
  );
  const categories = useLoad(
    () => call(api.GET("/api/staff/analytics/categories", { params: { query: { from_date: from, to_date: to } } })),
    [`${from}:${to}`],
  );
  const currency = summary.data?.currency_code ?? categories.data?.currency_code ?? "USD";
  return (
    <div class="staff-columns">
      <section aria-labelledby="top-products-heading" class="staff-card">
        <h2 id="top-products-heading">Top products, last 30 days</h2>
        <ErrorNote error={summary.error} />
        {summary.loading && !summary.data ? <Loading what="top products" /> : null}
        {summary.data && !(summary.data.top_products ?? []).length ? <p>No sales in these 30 days.</p> : null}
        {(summary.data?.top_products ?? []).length ? (
          <table class="staff-table" data-testid="top-products">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Units</th>
                <th scope="col">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {(summary.data?.top_products ?? []).map((p) => (
                <tr key={p.product_id}>
                  <td>
                    {p.name} <span class="staff-muted">{p.product_id}</span>
                  </td>
                  <td>{count(p.units)}</td>
                  <td>{money(p.revenue, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <section aria-labelledby="top-categories-heading" class="staff-card">
        <h2 id="top-categories-heading">Top categories, last 30 days</h2>
        <ErrorNote error={categories.error} />
        {categories.loading && !categories.data ? <Loading what="categories" /> : null}
        {categories.data && !(categories.data.categories ?? []).length ? <p>No sales in these 30 days.</p> : null}
        {(categories.data?.categories ?? []).length ? (
          <table class="staff-table" data-testid="top-categories">
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">Revenue</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {(categories.data?.categories ?? []).map((c) => (
                <tr key={c.category_id}>
                  <td>{c.name}</td>
                  <td>{money(c.revenue, currency)}</td>
                  <td>
                    <span
                      class="staff-share"
                      style={{ width: `${Math.round((c.revenue_share ?? 0) * 100)}%` }}
                      aria-hidden="true"
                    />
                    {percent(c.revenue_share)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
