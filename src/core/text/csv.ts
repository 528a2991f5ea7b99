// One CSV field (RFC 4180) for every export: fields with a comma, quote or line break are
// quoted, quotes doubled. Text a spreadsheet would run as a formula (= + - @, or a leading tab
// or CR) is prefixed with ' so it stays text; numbers and booleans are written as they are.

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
