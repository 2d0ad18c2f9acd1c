/** CSV (RFC 4180) of audit entries for export. */

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'actor',
  'action',
  'object',
  'liid',
  'outcome',
  'details',
  'prev_hash',
  'hash',
] as const;

/**
 * One RFC 4180 field: quoted when it holds `"`, `,`, CR or LF (quotes doubled). A field
 * that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, TAB, CR) gets a
 * leading `'` (OWASP "CSV injection"); the JSON export keeps every value exactly as stored.
 */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record with CRLF line end (RFC 4180 §2). */
export function csvRecord(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
