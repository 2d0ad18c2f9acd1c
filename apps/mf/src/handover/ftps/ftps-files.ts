/**
 * HI2 FTPS file naming and aggregation (ARCHITECTURE.md §4).
 *
 * Name: `<operatorId>_<LIID>_<UTC yyyymmddHHMMss>_<seq 10 digits>.ber`. The time is when the file
 * was planned; `seq` counts the files of this LIID on this destination from 1 — an LEMF can see
 * a missing file as a gap (a file the LEA refused until its records were dead-lettered also
 * leaves one). LIID octets outside `A-Z a-z 0-9 . -` are written `%XX` so that `_` stays the
 * field separator and nothing unsafe reaches a path.
 *
 * Aggregation: one file holds records of one LIID, in sequence order, at most `maxRecords`; a
 * LIID's waiting records become a file when there are `maxRecords` of them or when the oldest has
 * waited `maxWaitMs` (0: at once). Only what is already waiting is aggregated; nothing is held
 * back longer than `maxWaitMs`.
 */

export function liidForFileName(liid: string): string {
  return [...Buffer.from(liid, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9.-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

export function hi2FileName(operatorId: string, liid: string, at: Date, fileSeq: number): string {
  const utc = at.toISOString().slice(0, 19).replace(/[-:T]/g, '');
  return `${operatorId}_${liidForFileName(liid)}_${utc}_${String(fileSeq).padStart(10, '0')}.ber`;
}

export interface WaitingRow {
  seq: number;
  liid: string;
  createdAt: string;
}

export interface FilePlan {
  liid: string;
  seqs: number[];
}

/**
 * Cuts waiting rows (in sequence order) into files. Rows with `seq <= isolateUpTo` get a file
 * each (after a multi-record file was refused, to find the record the LEA refuses). Returns the
 * plans and, when some rows must still wait, how long until the oldest of them is due.
 */
export function cutFiles(
  rows: readonly WaitingRow[],
  now: Date,
  maxRecords: number,
  maxWaitMs: number,
  isolateUpTo = 0,
): { plans: FilePlan[]; waitMs: number } {
  const byLiid = new Map<string, WaitingRow[]>();
  for (const r of rows) byLiid.set(r.liid, [...(byLiid.get(r.liid) ?? []), r]);
  const plans: FilePlan[] = [];
  let waitMs = Number.POSITIVE_INFINITY;
  for (const [liid, group] of byLiid) {
    let i = 0;
    while (i < group.length) {
      const size = group[i].seq <= isolateUpTo ? 1 : maxRecords;
      const chunk = group.slice(i, i + size);
      const age = now.getTime() - Date.parse(chunk[0].createdAt);
      if (chunk.length < size && age < maxWaitMs) {
        waitMs = Math.min(waitMs, maxWaitMs - age);
        break;
      }
      plans.push({ liid, seqs: chunk.map((r) => r.seq) });
      i += chunk.length;
    }
  }
  return { plans, waitMs: Number.isFinite(waitMs) ? waitMs : 0 };
}
