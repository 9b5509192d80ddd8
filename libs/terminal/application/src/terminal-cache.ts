import type { TerminalState } from '@pos/terminal-domain';

/** A terminal's committed state and what the next append needs: the hash it links to, and when it was last snapshotted. */
export interface TerminalEntry {
  readonly state: TerminalState;
  readonly hash: string;
  readonly snapshotVersion: number;
}

/**
 * Terminal states in memory, bounded by their weight (open-batch entries), least recently
 * used first out: the gateway's memory depends on this budget, not on how many terminals
 * or sales it has seen. An evicted terminal is loaded again from its snapshot and tail.
 */
export class TerminalCache {
  private readonly entries = new Map<string, { entry: TerminalEntry; weight: number }>();
  weight = 0;

  constructor(private readonly budget: number) {}

  get(terminalId: string): TerminalEntry | undefined {
    const hit = this.entries.get(terminalId);
    if (!hit) return undefined;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.entries.delete(terminalId);
    this.entries.set(terminalId, hit);
    return hit.entry;
  }

  set(terminalId: string, entry: TerminalEntry, weight: number): void {
    this.delete(terminalId);
    this.entries.set(terminalId, { entry, weight });
    this.weight += weight;
    for (const [id, old] of this.entries) {
      if (this.weight <= this.budget || id === terminalId) break;
      this.entries.delete(id);
      this.weight -= old.weight;
    }
  }

  delete(terminalId: string): void {
    const old = this.entries.get(terminalId);
    if (!old) return;
    this.entries.delete(terminalId);
    this.weight -= old.weight;
  }
}
