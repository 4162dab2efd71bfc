// The revenue chart: uPlot on a canvas (see ARCHITECTURE.md, "Staff console", for why uPlot),
// with the same numbers as a table for screen readers and anyone who wants the figures.
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  /** Bucket starts, seconds since the epoch (uPlot's time unit). */
  times: number[];
  revenue: number[];
  orders: number[];
}

export function RevenueChart({
  series,
  currency,
  label,
}: {
  series: Series;
  currency: string;
  label: string;
}): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const money = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency: currency || "USD",
      maximumFractionDigits: 0,
    });
    const width = Math.max(320, Math.min(element.clientWidth || 720, 960));
    const plot = new uPlot(
      {
        width,
        height: 260,
        scales: { x: { time: true }, orders: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [
          {},
          {
            label: "Revenue",
            stroke: "#b4232c",
            fill: "rgba(180, 35, 44, 0.12)",
            width: 2,
            value: (_u, v) => (v == null ? "—" : money.format(v)),
          },
          { label: "Orders", stroke: "#1f5f8b", width: 1.5, dash: [4, 4], scale: "orders" },
        ],
        axes: [
          {},
          { values: (_u, ticks) => ticks.map((tick) => money.format(tick)), size: 70 },
          { side: 1, scale: "orders", grid: { show: false } },
        ],
      },
      [series.times, series.revenue, series.orders],
      element,
    );
    // The card's width follows the window; the canvas follows the card.
    const resize = new ResizeObserver(() => {
      const next = Math.max(320, Math.min(element.clientWidth || 720, 960));
      if (next !== plot.width) plot.setSize({ width: next, height: 260 });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, currency]);
  return <div ref={box} class="staff-chart" role="img" aria-label={label} />;
}
