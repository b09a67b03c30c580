import type { Op } from '../../history/op.ts';

/** Options of {@link simulateCasRegister}. */
export interface SimulateOptions {
  /** Client operations to invoke. */
  ops: number;
  /** Concurrent client processes. */
  processes: number;
  /** Seed of the deterministic PRNG. */
  seed?: number;
  /** Chance (0–1) that an operation ends `info`; its process is then replaced by a fresh one, as Jepsen does. */
  infoRate?: number;
}

/**
 * Test and benchmark support: a linearizable cas-register history (initial
 * value 0) from a simulated atomic register, each op taking effect at a
 * random instant between its invoke and its completion; a cas whose `from`
 * does not match ends `fail`; some ops end `info` (taking effect or not).
 * Deterministic for a seed. Pure.
 */
export function simulateCasRegister({ ops, processes, seed = 1, infoRate = 0.01 }: SimulateOptions): Op[] {
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(rand() * n);
  const history: Op[] = [];
  const emit = (process: number, type: Op['type'], f: string, value: unknown): void => {
    history.push({ index: history.length, time: history.length * 1000, process, type, f, value });
  };
  let value = 0;
  let invoked = 0;
  let nextProcess = processes;
  type Slot = { process: number; f: string; input: unknown; applied: boolean; result?: { type: Op['type']; value: unknown } };
  const slots: Array<Slot | null> = Array.from({ length: processes }, () => null);
  const ids = Array.from({ length: processes }, (_, i) => i);
  while (invoked < ops || slots.some((x) => x !== null)) {
    const i = int(processes);
    const slot = slots[i];
    if (slot === null) {
      if (invoked >= ops) continue;
      const r = int(3);
      const f = r === 0 ? 'read' : r === 1 ? 'write' : 'cas';
      const input = f === 'read' ? null : f === 'write' ? int(5) : [int(5), int(5)];
      slots[i] = { process: ids[i], f, input, applied: false };
      emit(ids[i], 'invoke', f, input);
      invoked++;
    } else if (!slot.applied) {
      slot.applied = true;
      if (slot.f === 'read') slot.result = { type: 'ok', value };
      else if (slot.f === 'write') {
        value = slot.input as number;
        slot.result = { type: 'ok', value: slot.input };
      } else {
        const [from, to] = slot.input as [number, number];
        slot.result = value === from ? { type: 'ok', value: slot.input } : { type: 'fail', value: slot.input };
        if (value === from) value = to;
      }
    } else {
      const crashed = rand() < infoRate;
      emit(slot.process, crashed ? 'info' : slot.result!.type, slot.f, crashed ? slot.input : slot.result!.value);
      if (crashed) ids[i] = nextProcess++;
      slots[i] = null;
    }
  }
  return history;
}
