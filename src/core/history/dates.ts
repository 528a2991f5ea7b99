// Date inputs of the history API. No Node imports (the webview may use the summary).

/** Dates as ms since epoch, Date objects or anything Date.parse reads. */
export type DateLike = number | Date | string;

export function toMs(value: DateLike): number {
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`Not a date: ${String(value)}`);
  return ms;
}
