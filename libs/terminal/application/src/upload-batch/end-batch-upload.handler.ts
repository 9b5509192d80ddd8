import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { TerminalCommandRunner } from '../terminal-command.runner';
import { EndBatchUploadCommand } from './end-batch-upload.command';

@CommandHandler(EndBatchUploadCommand)
export class EndBatchUploadHandler implements ICommandHandler<EndBatchUploadCommand> {
  constructor(
    @Inject(TerminalCommandRunner) private readonly runner: TerminalCommandRunner,
  ) {}

  execute(c: EndBatchUploadCommand) {
    const r = c.request;
    return this.runner.run(c.terminalId, c.origin, async () => {
      return { type: 'EndBatchUpload', stan: r.stan, fingerprint: c.origin.fingerprint!, batchNo: r.batchNo };
    });
  }
}
