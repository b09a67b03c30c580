/** An LWW-register's state: a value and the stamp of the write that set it. */
export interface LWWRegister<T = unknown> {
  readonly value: T;
  /** Wall-clock ms of the write. */
  readonly timeMs: number;
  /** The replica that wrote it: breaks ties between equal times, so every replica picks the same winner. */
  readonly replica: string;
}

/**
 * Last-writer-wins register: a merge keeps the write with the later
 * (time, replica) stamp. It converges, but of two concurrent writes one is
 * silently dropped — which, for a counter kept in one, drops increments.
 * Pure.
 */
export const lwwRegister = {
  write: <T>(value: T, timeMs: number, replica: string): LWWRegister<T> => ({ value, timeMs, replica }),
  /** The later of the two by (timeMs, replica, then the value's JSON, so that any two replicas pick the same). */
  merge<T>(a: LWWRegister<T>, b: LWWRegister<T>): LWWRegister<T> {
    if (b.timeMs !== a.timeMs) return b.timeMs > a.timeMs ? b : a;
    if (b.replica !== a.replica) return b.replica > a.replica ? b : a;
    return JSON.stringify(b.value) > JSON.stringify(a.value) ? b : a;
  },
};
