// Display helpers of the staff console that the shared layer (../api) does not have.

/** Today's date in UTC as YYYY-MM-DD: the analytics windows are UTC days. */
export function utcDay(offsetDays = 0, now: Date = new Date()): string {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays));
  return day.toISOString().slice(0, 10);
}

/** An int64 count (a JSON string on the wire) as a number. */
export function count(value: string | number | undefined): number {
  return Number(value ?? 0);
}

/** A short id for tables: ids are long, their ends tell them apart. */
export function shortId(id: string | undefined): string {
  if (!id) return "";
  return id.length > 14 ? `…${id.slice(-10)}` : id;
}

export function percent(share: number | undefined): string {
  return `${((share ?? 0) * 100).toFixed(1)}\u00a0%`;
}
