import { DataSource, EntityManager, Not } from 'typeorm';
import type { TargetRole } from '@app/hi2';
import { engineOf, execSql, rowChunks, SqlParams } from '../persistence/sql';
import { CallSession, callSession } from './call-session';
import { CallSessionEntity } from './call-session.entity';
import { NO_DIALOGS } from './iri-state-machine';
import { KeyPairMap } from './key-pair-map';

/**
 * Live call sessions in memory, persisted in `call_session` inside the transaction of the
 * events that changed them, and reloaded at start-up so CINs and IRI state survive a restart.
 * Ended sessions leave memory once their END is committed; late messages for them then fall
 * outside any session and become REPORTs.
 */
export class CallSessionStore {
  /** By LIID and Call-ID. */
  private readonly live = new KeyPairMap<CallSession>();

  constructor(private readonly ds: DataSource) {}

  get size(): number {
    return this.live.size;
  }

  async load(): Promise<void> {
    const rows = await this.ds
      .getRepository(CallSessionEntity)
      .find({ where: { phase: Not('ended') } });
    // One string per LIID and per XID, as for sessions opened by X2 events (the task's).
    const shared = new Map<string, string>();
    const share = (v: string) => shared.get(v) ?? (shared.set(v, v), v);
    for (const r of rows) {
      const openDialogs = JSON.parse(r.openDialogs) as string[];
      const s = callSession({
        liid: share(r.liid),
        callId: r.callId,
        cin: r.cin,
        phase: r.phase as CallSession['phase'],
        openDialogs: openDialogs.length ? openDialogs : NO_DIALOGS,
        initiator: r.initiator as TargetRole,
        xid: share(r.xid),
        startedAt: Date.parse(r.startedAt),
        lastEventAt: Date.parse(r.lastEventAt),
        endedAt: undefined,
      });
      this.live.set(s.liid, s.callId, s);
    }
  }

  get(liid: string, callId: string): CallSession | undefined {
    return this.live.get(liid, callId);
  }

  add(s: CallSession): void {
    this.live.set(s.liid, s.callId, s);
  }

  /** Drops ended sessions from memory (call after their END committed). */
  evictEnded(sessions: Iterable<CallSession>): void {
    for (const s of sessions) if (s.phase === 'ended') this.live.delete(s.liid, s.callId);
  }

  /** Open sessions without any event since `before` (ms since the epoch). */
  idleSince(before: number): CallSession[] {
    return [...this.live.values()].filter((s) => s.phase !== 'ended' && s.lastEventAt < before);
  }

  /**
   * Upserts the rows of `sessions` in the caller's transaction: one multi-row
   * `INSERT … ON CONFLICT (liid, call_id) DO UPDATE` per 200 sessions (10 parameters each).
   */
  async persist(em: EntityManager, sessions: CallSession[]): Promise<void> {
    const engine = engineOf(em);
    for (const chunk of rowChunks(engine, sessions, 200)) {
      const q = new SqlParams(engine);
      const rows = chunk.map((s) => `(${q.list(rowValues(s))})`);
      await execSql(
        em,
        'INSERT INTO call_session (liid, call_id, cin, phase, open_dialogs, initiator, xid, ' +
          `started_at, last_event_at, ended_at) VALUES ${rows.join(', ')} ` +
          'ON CONFLICT (liid, call_id) DO UPDATE SET phase = excluded.phase, ' +
          'open_dialogs = excluded.open_dialogs, initiator = excluded.initiator, ' +
          'last_event_at = excluded.last_event_at, ended_at = excluded.ended_at',
        q,
      );
    }
  }
}

/** Column values of `call_session`, in the order of `persist`'s column list. */
function rowValues(s: CallSession): unknown[] {
  return [
    s.liid,
    s.callId,
    s.cin,
    s.phase,
    JSON.stringify(s.openDialogs),
    s.initiator,
    s.xid,
    new Date(s.startedAt).toISOString(),
    new Date(s.lastEventAt).toISOString(),
    s.endedAt !== undefined ? new Date(s.endedAt).toISOString() : null,
  ];
}
