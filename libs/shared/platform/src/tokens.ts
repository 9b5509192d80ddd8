/** Injection tokens. Explicit tokens everywhere: our bundler does not emit decorator metadata. */
export const SERVICE_STORE = Symbol('SERVICE_STORE');
export const MESSAGE_LOG = Symbol('MESSAGE_LOG');
export const CLOCK = Symbol('CLOCK');
export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
/** The back office's authentication and authorisation (BackOfficeAccess). */
export const BACK_OFFICE_ACCESS = Symbol('BACK_OFFICE_ACCESS');

export interface LedgerConfig {
  /** scrypt cost for operator passwords (2^14 in production; tests may lower it). */
  readonly scryptCost: number;
  /** Open-batch entries of terminal state the gateway keeps in memory (least recently used terminals go first). */
  readonly terminalCacheEntries: number;
  /**
   * The gateway's ISO 8583 front and terminal key sealing (absent where no gateway runs, e.g.
   * unit-built runners): where it listens, the configured key-encryption key, and whether the
   * development one is accepted (the embedded default on loopback, as for the development token).
   */
  readonly terminalFront?: { readonly host: string; readonly port: number; readonly keyEncryptionKey?: string; readonly developmentKeyAccepted: boolean };
  /** Daily checkpoints (absent where none are recorded): the configured signing key, whether the development one is accepted, the grace after a day's end. */
  readonly checkpoints?: { readonly signingKey?: string; readonly developmentKeyAccepted: boolean; readonly graceSeconds: number };
}
