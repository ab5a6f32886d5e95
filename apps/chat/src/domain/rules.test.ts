import { FakeClock, seededProperty } from '@twohop/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isChatError } from './errors.js';
import { fanoutFor } from './fanout.js';
import { requireChangeable, requireMember, requireRoom, requireRoomFor } from './membership.js';
import { Presence, PresenceCounts, type PresenceDelta } from './Presence.js';
import { ReceiptBatches } from './ReceiptBatches.js';
import { isValidClientId, isValidRoomName, isValidText } from './text.js';
import { TypingGate } from './TypingGate.js';
import { MAX_TEXT, type ChatMessage, type Receipt } from './wire.js';

const seeded = seededProperty('chat domain rules', 0xc4a7);

const codeOf = (rule: () => void) => {
  try {
    rule();
    return 'allowed';
  } catch (error) {
    return isChatError(error) ? error.code : 'threw';
  }
};

describe('text rules', () => {
  it('well-formed text of 1–4000 code units is valid; a lone surrogate never is (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), (text) => {
        expect(isValidText(text)).toBe(true);
      }),
      seeded,
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.string({ maxLength: 20 }),
        (before, unit, after) => {
          // A surrogate kept lone by its neighbours: a high one followed by no low one, a low one after no high one.
          const lone = String.fromCharCode(unit);
          const text = unit <= 0xdbff ? `${before}${lone}x${after}` : `${before}x${lone}${after}`;
          expect(isValidText(text)).toBe(false);
        },
      ),
      seeded,
    );
    expect(isValidText('\u{1F600}')).toBe(true);
    expect(isValidText('')).toBe(false);
    expect(isValidText('x'.repeat(MAX_TEXT))).toBe(true);
    expect(isValidText('x'.repeat(MAX_TEXT + 1))).toBe(false);
  });

  it('room names and client ids', () => {
    expect(['general', 'a-b_c9', 'x'.repeat(64)].every(isValidRoomName)).toBe(true);
    expect(['', 'a b', 'x'.repeat(65), 'a:b', '../x'].some(isValidRoomName)).toBe(false);
    expect(isValidClientId('c'.repeat(64))).toBe(true);
    expect(isValidClientId('')).toBe(false);
    expect(isValidClientId('c'.repeat(65))).toBe(false);
  });
});

describe('membership rules', () => {
  const message = { room: 'r', seq: 1, userId: 'ada' } as ChatMessage;
  it('reading and writing need membership; changing needs membership and ownership', () => {
    expect(codeOf(() => requireRoom(false, 'r'))).toBe('unknown_room');
    expect(codeOf(() => requireRoom(true, 'r'))).toBe('allowed');
    expect(codeOf(() => requireMember(false, 'r'))).toBe('not_member');
    expect(codeOf(() => requireChangeable(message, 'ada', true))).toBe('allowed');
    expect(codeOf(() => requireChangeable(message, 'ada', false))).toBe('not_member');
    expect(codeOf(() => requireChangeable(message, 'bob', true))).toBe('not_owner');
  });

  it('a user may hold up to maxRooms memberships (property)', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.integer({ min: 1, max: 200 }), (memberships, maxRooms) => {
        expect(codeOf(() => requireRoomFor(memberships, maxRooms))).toBe(
          memberships < maxRooms ? 'allowed' : 'room_limit',
        );
      }),
      seeded,
    );
  });
});

describe('fan-out by room size', () => {
  it('on write up to largeRoom members, on read above (property)', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (members, largeRoom) => {
        expect(fanoutFor(members, largeRoom)).toBe(members > largeRoom ? 'read' : 'write');
      }),
      seeded,
    );
    expect([fanoutFor(100, 100), fanoutFor(101, 100)]).toEqual(['write', 'read']);
  });
});

describe('TypingGate', () => {
  it('passes one typing per user per room per window; a message reopens it; sweep forgets old marks', () => {
    const clock = new FakeClock(0);
    const gate = new TypingGate(clock, 3000);
    expect([
      gate.pass('r', 'ada'),
      gate.pass('r', 'ada'),
      gate.pass('r', 'bob'),
      gate.pass('s', 'ada'),
    ]).toEqual([true, false, true, true]);
    clock.advance(2999);
    expect(gate.pass('r', 'ada')).toBe(false);
    clock.advance(1);
    expect(gate.pass('r', 'ada')).toBe(true);
    gate.reset('r', 'ada');
    expect(gate.pass('r', 'ada')).toBe(true);
    // Only the mark made now is inside its window.
    expect(gate.sweep()).toBe(1);
    clock.advance(3000);
    expect(gate.sweep()).toBe(0);
  });

  it('never passes two typings of one user in one room within the window (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ wait: fc.nat(4000), room: fc.constantFrom('r', 's') }), { maxLength: 60 }),
        (steps) => {
          const clock = new FakeClock(0);
          const gate = new TypingGate(clock, 3000);
          const passed = new Map<string, number>();
          for (const { wait, room } of steps) {
            clock.advance(wait);
            if (!gate.pass(room, 'ada')) continue;
            const last = passed.get(room);
            if (last !== undefined) expect(clock.now() - last).toBeGreaterThanOrEqual(3000);
            passed.set(room, clock.now());
          }
        },
      ),
      seeded,
    );
  });
});

describe('ReceiptBatches', () => {
  it('flushes the newest receipt per user, at most once per interval per room (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ wait: fc.nat(600), user: fc.constantFrom('a', 'b', 'c'), seq: fc.nat(50) }), {
          maxLength: 80,
        }),
        (reads) => {
          const clock = new FakeClock(0);
          const flushes: Array<{ at: number; receipts: Receipt[] }> = [];
          const batches = new ReceiptBatches({
            intervalMs: 1000,
            clock,
            flush: (_room, receipts) => flushes.push({ at: clock.now(), receipts }),
          });
          const newest = new Map<string, number>();
          for (const { wait, user, seq } of reads) {
            clock.advance(wait);
            // Receipts come from the store, which never moves one backwards.
            const receipt = Math.max(seq, newest.get(user) ?? 0);
            batches.add('r', user, receipt);
            newest.set(user, receipt);
          }
          clock.advance(1000);
          for (let i = 1; i < flushes.length; i++)
            expect(flushes[i]!.at - flushes[i - 1]!.at).toBeGreaterThanOrEqual(1000);
          // Every reader's newest receipt was flushed last for them.
          const last = new Map<string, number>();
          for (const flush of flushes) for (const { userId, seq } of flush.receipts) last.set(userId, seq);
          expect(last).toEqual(newest);
        },
      ),
      seeded,
    );
  });
});

describe('Presence', () => {
  it('counts connections: only the first arrival and the last departure change presence', () => {
    const counts = new PresenceCounts();
    expect([counts.arrive('r', 'ada'), counts.arrive('r', 'ada'), counts.leave('r', 'ada')]).toEqual([
      true,
      false,
      false,
    ]);
    expect(counts.leave('r', 'ada')).toBe(true);
    expect(counts.leave('r', 'ada')).toBe(false);
    for (let i = 0; i < 3; i++) counts.arrive('r', 'ada');
    counts.arrive('r', 'bob');
    expect(counts.removeUser('r', 'ada')).toBe(true);
    expect(counts.leave('r', 'ada')).toBe(false);
    expect(counts.entries()).toEqual([{ room: 'r', uid: 'bob', count: 1 }]);
  });

  it('a room’s view numbers its changes, drops the ones that change nothing, and forgets an empty room', () => {
    const deltas: PresenceDelta[] = [];
    const presence = new Presence((_room, delta) => deltas.push(delta));
    const ada = { op: 'set', key: 'ada', value: { name: 'Ada', since: 7 } } as const;
    presence.apply('r', ada);
    presence.apply('r', ada);
    presence.apply('r', { op: 'set', key: 'bob', value: { name: 'Bob', since: 8 } });
    presence.apply('r', { op: 'remove', key: 'ada' });
    presence.apply('r', { op: 'remove', key: 'ada' });
    expect(deltas.map((delta) => delta.seq)).toEqual([1, 2, 3]);
    expect(presence.snapshot('r').data).toEqual([['bob', { name: 'Bob', since: 8 }]]);
    expect(presence.has('r', 'bob')).toBe(true);
    presence.apply('r', { op: 'remove', key: 'bob' });
    expect(presence.rooms).toBe(0);
  });
});
