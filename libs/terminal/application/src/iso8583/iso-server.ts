import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { wire } from '@pos/contracts';
import {
  decodeFrame, FrameReader, ISO87B, isIso8583Error, Iso8583Error, type IsoMessage, type IsoValue, packFrame, replyTpdu, type Tpdu, unpackFrame,
} from '@pos/iso8583';
import { type Clock, isDomainError, type TerminalId } from '@pos/kernel';
import { CLOCK, LEDGER_CONFIG, type LedgerConfig, LOGGER, type Logger } from '@pos/platform';
import { TerminalErrors } from '@pos/terminal-domain';
import { MAC_LENGTH, type MacKey, requireMac, retailMac, signOnMacKey, TerminalKeyErrors, verifyMac, workingKeysField } from '@pos/terminal-keys';
import { TERMINAL_REQUESTS, TerminalRequestHandler } from '../terminal-requests';
import { answerFields, type IsoRequest, requestOf, responseMti } from './iso-dialect';
import { TerminalKeyVault } from './terminal-key-vault';

/** The front's limits (docs/iso8583.md). */
export interface IsoLimits {
  /** Largest frame accepted (length prefix value); a longer one closes the connection. */
  readonly maxFrameBytes: number;
  /** A connection that sends nothing this long is closed. */
  readonly idleMs: number;
  /** A frame begun must be whole within this long (a slow sender cannot hold a connection). */
  readonly frameMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerTerminal: number;
}

export const ISO_LIMITS: IsoLimits = { maxFrameBytes: 4096, idleMs: 120_000, frameMs: 10_000, maxConnections: 2_000, maxConnectionsPerTerminal: 4 };

/** Sign-on and sign-off carry no batch; every other message of a terminal needs the session's MAC key. */
const SIGN_ON = 'signOn';

interface Connection {
  readonly socket: Socket;
  /** The terminal this connection is bound to, by the first message whose MAC verified. */
  terminalId?: string;
  /** Frames are answered one after the other, in order. */
  queue: Promise<void>;
}

/**
 * The gateway's ISO 8583 front: a TCP listener (NACChannel framing, ISO87BPackager layout)
 * whose messages become the HTTP API's request bodies and run through the same handler.
 * Nothing here writes but that handler; a message that fails its MAC or its format never
 * reaches it.
 */
@Injectable()
export class IsoServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly connections = new Set<Connection>();
  private readonly logger: Logger;
  limits: IsoLimits = ISO_LIMITS;

  constructor(
    @Inject(TerminalRequestHandler) private readonly handler: TerminalRequestHandler,
    @Inject(TerminalKeyVault) private readonly keys: TerminalKeyVault,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'iso8583' });
  }

  /** The port it listens on (the configured one, or the one picked for 0). */
  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const front = this.config.terminalFront;
    if (!front) return;
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(front.port, front.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.logger.error({ err: e }, 'ISO 8583 listener error'));
    this.server = server;
    this.logger.info({ host: front.host, port: this.port }, 'ISO 8583 listener started');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Answers already being decided are written; then every connection goes.
    await Promise.all([...this.connections].map((c) => c.queue));
    for (const c of this.connections) c.socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= this.limits.maxConnections) {
      socket.destroy();
      return;
    }
    const connection: Connection = { socket, queue: Promise.resolve() };
    this.connections.add(connection);
    const reader = new FrameReader(this.limits.maxFrameBytes);
    let slow: NodeJS.Timeout | undefined;
    socket.setTimeout(this.limits.idleMs, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(slow);
      this.connections.delete(connection);
    });
    socket.on('data', (chunk) => {
      let frames: Uint8Array[];
      try {
        frames = reader.push(chunk);
      } catch {
        // A length prefix past the limit: nothing after it can be framed.
        socket.destroy();
        return;
      }
      if (reader.buffered === 0) {
        clearTimeout(slow);
        slow = undefined;
      } else slow ??= setTimeout(() => socket.destroy(), this.limits.frameMs);
      for (const frame of frames)
        connection.queue = connection.queue
          .then(() => this.answer(connection, frame))
          .catch((e: unknown) => {
            // Never a crash: an answer that could not even be packed closes the connection.
            this.logger.error({ err: e }, 'ISO 8583 answer failed; connection closed');
            socket.destroy();
          });
    });
  }

  private write(connection: Connection, bytes: Uint8Array): void {
    if (!connection.socket.destroyed) connection.socket.write(bytes);
  }

  /** Answers one whole frame; any failure is an answer (30, A0, the request's code) or, when none can be framed, the close. */
  private async answer(connection: Connection, frame: Uint8Array): Promise<void> {
    let tpdu: Tpdu;
    let message: IsoMessage;
    let raw: Uint8Array;
    try {
      ({ tpdu, message, raw } = unpackFrame(ISO87B, frame));
    } catch (e) {
      this.formatError(connection, frame, e);
      return;
    }
    const reply = (fields: Map<number, IsoValue>, key?: MacKey) => this.reply(connection, tpdu, message.mti, fields, key);
    const refuse = (e: unknown, key?: MacKey) => reply(answerFields(message, { responseCode: codeOf(e, this.logger) }, this.clock.now()), key);
    try {
      for (const f of message.fields.keys()) if (f > 64) throw new Iso8583Error('ISO_FIELD_INVALID', `field ${f}: this dialect uses no secondary bitmap field`, f);
      const request = requestOf(message);
      const terminalId = this.terminalOf(connection, message);
      const mac = message.fields.get(64) as Uint8Array | undefined;
      const signed = raw.subarray(0, Math.max(0, raw.length - MAC_LENGTH));
      if (request.name === SIGN_ON) {
        const tmk = await this.keys.of(terminalId);
        if (!tmk) throw TerminalErrors.TERMINAL_UNKNOWN(`terminal ${terminalId} has no ISO 8583 master key`, undefined, 'unauthenticated');
        // The 0800 is MACed under the master key itself: it proves the terminal holds it.
        requireMac(signOnMacKey(tmk), signed, mac);
        this.bind(connection, terminalId);
        const answer = await this.run(request, terminalId);
        if (answer.responseCode !== '00') return reply(answerFields(message, answer, this.clock.now()));
        const keys = await this.keys.startSession(terminalId, this.clock.now());
        const fields = answerFields(message, answer, this.clock.now());
        fields.set(62, workingKeysField(tmk, keys));
        return reply(fields, keys.macKey);
      }
      let key: MacKey;
      try {
        key = await this.sessionKey(terminalId, signed, mac);
      } catch (e) {
        return refuse(e);
      }
      this.bind(connection, terminalId);
      try {
        return reply(answerFields(message, await this.run(request, terminalId), this.clock.now()), key);
      } catch (e) {
        return refuse(e, key);
      }
    } catch (e) {
      return refuse(e);
    }
  }

  /**
   * The session key the message's MAC verifies under: the one held here or, when that fails,
   * the stored one (the terminal signed on through another replica since).
   */
  private async sessionKey(terminalId: TerminalId, signed: Uint8Array, mac: Uint8Array | undefined): Promise<MacKey> {
    const held = await this.keys.macKeyOf(terminalId);
    if (!held) throw TerminalKeyErrors.MAC_MISSING(`terminal ${terminalId} has no working keys: sign on`);
    try {
      requireMac(held, signed, mac);
      return held;
    } catch (e) {
      const stored = mac?.length === MAC_LENGTH ? await this.keys.macKeyOf(terminalId, true) : undefined;
      if (mac && stored && !stored.equals(held) && verifyMac(stored, signed, mac)) return stored;
      throw e;
    }
  }

  /** Field 41, which must be a terminal's id and, on a bound connection, its own. */
  private terminalOf(connection: Connection, message: IsoMessage): TerminalId {
    const raw = message.fields.get(41);
    const parsed = wire.terminalId.safeParse(typeof raw === 'string' ? raw.trim() : undefined);
    if (!parsed.success) throw new Iso8583Error('ISO_FIELD_INVALID', 'field 41: not a terminal id', 41);
    if (connection.terminalId !== undefined && connection.terminalId !== parsed.data)
      throw new Iso8583Error('ISO_FIELD_INVALID', `field 41: this connection belongs to terminal ${connection.terminalId}`, 41);
    return parsed.data;
  }

  private bind(connection: Connection, terminalId: string): void {
    if (connection.terminalId === terminalId) return;
    const bound = [...this.connections].filter((c) => c.terminalId === terminalId).length;
    if (bound >= this.limits.maxConnectionsPerTerminal) {
      connection.socket.destroy();
      throw TerminalErrors.TERMINAL_BUSY(`terminal ${terminalId} already has ${bound} connections`);
    }
    connection.terminalId = terminalId;
  }

  private run(request: IsoRequest, terminalId: TerminalId) {
    return this.handler.runAuthenticated(TERMINAL_REQUESTS[request.name], terminalId, request.body, randomUUID());
  }

  private reply(connection: Connection, tpdu: Tpdu, mti: string, fields: Map<number, IsoValue>, key?: MacKey): void {
    const mtiOut = responseMti(mti);
    if (!mtiOut) {
      connection.socket.destroy();
      return;
    }
    if (key) fields.set(64, new Uint8Array(MAC_LENGTH));
    const frame = packFrame(ISO87B, replyTpdu(tpdu), { mti: mtiOut, fields });
    if (key) frame.set(retailMac(key, frame.subarray(7, frame.length - MAC_LENGTH)), frame.length - MAC_LENGTH);
    this.write(connection, frame);
  }

  /** A frame that does not unpack: a 30 with its MTI where its TPDU and MTI can be read, else the close. */
  private formatError(connection: Connection, frame: Uint8Array, e: unknown): void {
    if (!isIso8583Error(e)) this.logger.error({ err: e }, 'ISO 8583 frame failed unexpectedly');
    let tpdu: Tpdu;
    let message: Uint8Array;
    try {
      ({ tpdu, message } = decodeFrame(frame));
    } catch {
      connection.socket.destroy();
      return;
    }
    const mti = message.length >= 2 ? Array.from(message.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join('') : '';
    if (!/^0[1-68][02][0-5]$/.test(mti)) {
      connection.socket.destroy();
      return;
    }
    this.reply(connection, tpdu, mti, new Map<number, IsoValue>([[39, '30']]));
  }
}

/** The response code of a refusal: a catalogued error's own, else 96 (logged: it is a bug or an outage). */
const codeOf = (e: unknown, logger: Logger): string => {
  if (isDomainError(e)) return e.responseCode;
  logger.error({ err: e }, 'ISO 8583 request failed');
  return '96';
};
