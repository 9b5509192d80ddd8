import type { IsoValue } from '@pos/iso8583';
import { acceptWorkingKeys, type MacKey, signOnMacKey, type TerminalMasterKey } from '@pos/terminal-keys';
import { type IsoAnswer, IsoClient } from './iso-connection';

/** The host answered something a terminal must not accept: no MAC, a wrong MAC, a wrong message type. */
export class IsoTerminalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IsoTerminalError';
  }
}

/** `MMDD` (field 13 or 15) as the calendar day nearest to `now`: a terminal's field 15 has no year. */
export const dayOfMmdd = (mmdd: string, now: Date): string => {
  if (!/^\d{4}$/.test(mmdd)) throw new IsoTerminalError(`expected a day as MMDD, got '${mmdd}'`);
  const year = now.getUTCFullYear();
  const distance = (d: Date) => Math.abs(d.getTime() - now.getTime());
  const days = [year - 1, year, year + 1]
    .map((y) => new Date(Date.UTC(y, Number(mmdd.slice(0, 2)) - 1, Number(mmdd.slice(2)))))
    // Date.UTC rolls 0229 of a common year over to 1 March: such a year is no candidate.
    .filter((d) => d.toISOString().slice(5, 10) === `${mmdd.slice(0, 2)}-${mmdd.slice(2)}`)
    .sort((a, b) => distance(a) - distance(b));
  if (!days[0]) throw new IsoTerminalError(`${mmdd} is not a calendar day`);
  return days[0].toISOString().slice(0, 10);
};

/** The answer MTI a request expects: its function digit made a response (0200 → 0210, 0401 → 0410). */
const answerMti = (mti: string): string => `${mti.slice(0, 2)}${Number(mti[2]) + 1}0`;

/**
 * One terminal on the gateway's ISO 8583 front (docs/iso8583.md), as a real one behaves: it
 * signs on with a 0800 MACed under its master key, takes the working keys of field 62, MACs
 * every later request under the session's MAC key and refuses any answer whose MAC does not
 * verify. Fields 41 and 42 are added to every request.
 */
export class IsoTerminal {
  private macKey?: MacKey;

  private constructor(
    private readonly client: IsoClient,
    readonly terminalId: string,
    private readonly masterKey: TerminalMasterKey,
    private readonly merchantId?: string,
  ) {}

  static async connect(at: { port: number; host?: string }, terminalId: string, masterKey: TerminalMasterKey, merchantId?: string): Promise<IsoTerminal> {
    return new IsoTerminal(await IsoClient.open(at.port, at.host), terminalId, masterKey, merchantId);
  }

  private async exchange(mti: string, fields: Record<number, IsoValue>, key: MacKey): Promise<IsoAnswer> {
    const ids: Record<number, IsoValue> = { 41: this.terminalId };
    if (this.merchantId) ids[42] = this.merchantId;
    const answer = await this.client.send(mti, { ...fields, ...ids }, key);
    if (answer.message.mti !== answerMti(mti)) throw new IsoTerminalError(`${mti} answered with ${answer.message.mti} (39=${answer.field(39) ?? '-'})`);
    return answer;
  }

  private verified(mti: string, answer: IsoAnswer, key: MacKey): IsoAnswer {
    if (!answer.macValid(key)) throw new IsoTerminalError(`the ${answer.message.mti} to ${mti} (39=${answer.field(39) ?? '-'}) carries no valid MAC`);
    return answer;
  }

  /** Sign-on: fields of the 0800 (11, 60, 63). Approved, it holds the new MAC key and its 0810 must verify under it. */
  async signOn(fields: Record<number, IsoValue>): Promise<IsoAnswer> {
    const answer = await this.exchange('0800', fields, signOnMacKey(this.masterKey));
    // A refused sign-on's answer carries no MAC and no keys: there is no session key yet to check it with.
    if (answer.field(39) !== '00') return answer;
    const keys = acceptWorkingKeys(this.masterKey, answer.field(62) ?? '');
    this.macKey = keys.macKey;
    return this.verified('0800', answer, keys.macKey);
  }

  /** Any request after sign-on, MACed under the session's MAC key; its answer's MAC is checked. */
  async request(mti: string, fields: Record<number, IsoValue>): Promise<IsoAnswer> {
    if (!this.macKey) throw new IsoTerminalError(`${this.terminalId} has not signed on: no MAC key for a ${mti}`);
    return this.verified(mti, await this.exchange(mti, fields, this.macKey), this.macKey);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
