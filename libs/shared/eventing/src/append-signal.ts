import { EventEmitter } from 'node:events';

/** Wakes pollers (relays, subscriptions) when something was appended, so they need not spin. */
export class AppendSignal {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  notify(): void {
    this.emitter.emit('append');
  }

  /** Resolves on the next append, or after `ms`. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('append', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.emitter.once('append', done);
    });
  }
}
