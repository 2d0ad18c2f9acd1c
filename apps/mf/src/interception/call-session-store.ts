import { DataSource, EntityManager, Not } from 'typeorm';
import type { TargetRole } from '@app/hi2';
import { CallSession, sessionKey } from './call-session';
import { CallSessionEntity } from './call-session.entity';

/**
 * Live call sessions in memory, persisted in `call_session` inside the transaction of the
 * events that changed them, and reloaded at start-up so CINs and IRI state survive a restart.
 * Ended sessions leave memory once their END is committed; late messages for them then fall
 * outside any session and become REPORTs.
 */
export class CallSessionStore {
  private readonly live = new Map<string, CallSession>();

  constructor(private readonly ds: DataSource) {}

  get size(): number {
    return this.live.size;
  }

  async load(): Promise<void> {
    const rows = await this.ds
      .getRepository(CallSessionEntity)
      .find({ where: { phase: Not('ended') } });
    for (const r of rows) {
      this.live.set(sessionKey(r.liid, r.callId), {
        liid: r.liid,
        callId: r.callId,
        cin: r.cin,
        phase: r.phase as CallSession['phase'],
        openDialogs: JSON.parse(r.openDialogs) as string[],
        initiator: r.initiator as TargetRole,
        xid: r.xid,
        startedAt: new Date(r.startedAt),
        lastEventAt: new Date(r.lastEventAt),
      });
    }
  }

  get(liid: string, callId: string): CallSession | undefined {
    return this.live.get(sessionKey(liid, callId));
  }

  add(s: CallSession): void {
    this.live.set(sessionKey(s.liid, s.callId), s);
  }

  /** Drops ended sessions from memory (call after their END committed). */
  evictEnded(sessions: Iterable<CallSession>): void {
    for (const s of sessions)
      if (s.phase === 'ended') this.live.delete(sessionKey(s.liid, s.callId));
  }

  /** Open sessions without any event since `before`. */
  idleSince(before: Date): CallSession[] {
    return [...this.live.values()].filter((s) => s.phase !== 'ended' && s.lastEventAt < before);
  }

  /** Upserts the rows of `sessions` in the caller's transaction. */
  async persist(em: EntityManager, sessions: CallSession[]): Promise<void> {
    for (let i = 0; i < sessions.length; i += 200) {
      await em
        .createQueryBuilder()
        .insert()
        .into(CallSessionEntity)
        .values(sessions.slice(i, i + 200).map(toRow))
        .orUpdate(
          ['phase', 'open_dialogs', 'initiator', 'last_event_at', 'ended_at'],
          ['liid', 'call_id'],
        )
        .execute();
    }
  }
}

function toRow(s: CallSession): CallSessionEntity {
  return {
    liid: s.liid,
    callId: s.callId,
    cin: s.cin,
    phase: s.phase,
    openDialogs: JSON.stringify(s.openDialogs),
    initiator: s.initiator,
    xid: s.xid,
    startedAt: s.startedAt.toISOString(),
    lastEventAt: s.lastEventAt.toISOString(),
    endedAt: s.endedAt ? s.endedAt.toISOString() : null,
  };
}
