import type { LabResult } from './lab-scenario';

const ABBREV: Record<string, string> = { BEGIN: 'B', CONTINUE: 'C', END: 'E', REPORT: 'R' };

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The short table `npm run lab` prints: per call and LEA, the IRI types received (B/C/E), the
 * keys on HI2 and whether they equal the UEs' SRTP keys, the failure indication and alarms,
 * and the verdict; then per call with media, what the TLS LEA got under the `decrypted`
 * warrant and the WAV file; then each verdict's problems, if any. Never prints key material.
 */
export function labReport(r: LabResult): string {
  const rows = [['call', 'LEA', 'IRIs', 'keys on HI2', 'keys = UEs', 'failure ind.', 'alarms', '']];
  for (const c of r.calls) {
    for (const v of c.verdicts) {
      rows.push([
        c.plan.name,
        v.lea,
        v.iriTypes.map((t) => ABBREV[t]).join(' ') || '-',
        v.keysDelivered
          ? `${v.keysDelivered} (${c.plan.expect.keys === 'sdp' ? 'SDP' : 'Xk'})`
          : '-',
        v.keysMatch === undefined ? '-' : v.keysMatch ? 'yes' : 'NO',
        v.failureIndication ? 'yes' : '-',
        v.alarms.map((a) => a.replace(/^alarm\./, '')).join(',') || '-',
        v.ok ? 'OK' : 'FAIL',
      ]);
    }
  }
  const media = r.calls.flatMap((c) => (c.media ? [c.media] : []));
  const mediaRows = [['call', `HI3 at TLS LEA (${r.decryptedLiid})`, 'clear = sent', 'WAV', '']];
  for (const m of media) {
    mediaRows.push([
      m.call,
      `${m.received}/${m.sent} packets`,
      m.clearMatches ? 'yes' : 'NO',
      m.wavFile ?? '-',
      m.ok ? 'OK' : 'FAIL',
    ]);
  }
  const problems = [
    ...r.calls.flatMap((c) =>
      c.verdicts.flatMap((v) => v.problems.map((p) => `  ${c.plan.name} (${v.lea}): ${p}`)),
    ),
    ...media.flatMap((m) => m.problems.map((p) => `  ${m.call} (media): ${p}`)),
  ];
  const total = r.calls.reduce((n, c) => n + c.verdicts.length, 0) + media.length;
  const passed =
    r.calls.reduce((n, c) => n + c.verdicts.filter((v) => v.ok).length, 0) +
    media.filter((m) => m.ok).length;
  return [
    table(rows),
    ...(media.length ? ['', table(mediaRows)] : []),
    ...(problems.length ? ['', 'problems:', ...problems] : []),
    '',
    `${passed}/${total} verdicts hold${r.ok ? '' : ' — LAB FAILED'}`,
  ].join('\n');
}
