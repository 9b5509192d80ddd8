export { type IsoAnswer, IsoClient, terminalFrame, TPDU } from './iso-connection';
export { dayOfMmdd, IsoTerminal, IsoTerminalError } from './iso-terminal';
