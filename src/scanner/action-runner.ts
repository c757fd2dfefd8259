// src/scanner/action-runner.ts: ActionRunner: validated ScannerActions as BCT8 commands, NG/ERR as typed errors, and the mode from MD or from the commands sent.
import type { Logger } from '../logger.js';
import type { ScannerAction } from './actions.js';
import type { CommandQueue } from './command-queue.js';
import type { ScannerProfile } from './profile.js';
import type { ChannelRecord, ScannerCommand, ScannerLine } from './protocol.js';
import { ScannerRejectedError, ScannerUnsupportedError } from './scanner-errors.js';
import { modeFromRaw } from './scanner-status.js';
import type { StatusTracker } from './status-tracker.js';

/** What an action returns besides the new status. */
export interface ActionResult {
  /** The channel record, for actions that read one. */
  record?: ChannelRecord;
  /** Enabled banks after a `banks` action. */
  banks?: string;
}

/** Sends the commands of control actions (the caller checks the link is ready first). */
export class ActionRunner {
  private pollMode: boolean;

  constructor(
    private readonly queue: CommandQueue,
    private readonly profile: ScannerProfile,
    private readonly tracker: StatusTracker,
    private readonly logger: Logger,
  ) {
    this.pollMode = profile.pollMode;
  }

  /** True while mode is read with MD; false once MD answered ERR and mode follows the commands. */
  get pollsMode(): boolean {
    return this.pollMode;
  }

  /** Reads a channel's memory record with PM (no mode change, §3.1). */
  readChannel(channel: number): Promise<ChannelRecord> {
    return this.expectRecord({ kind: 'read-channel', channel });
  }

  /** Runs a validated action; throws the typed scanner errors on NG, ERR, timeout or no link. */
  async perform(a: ScannerAction): Promise<ActionResult> {
    const keys = this.profile.keys;
    switch (a.action) {
      case 'scan':
      case 'resume':
        await this.expectOk({ kind: 'key', code: keys[a.action] });
        await this.afterModeChange('scan');
        return {};
      case 'hold': {
        // HOLD/RESUME is one toggling key on the BCT8 [INF §5.4]: never press it when already held.
        if (this.tracker.live.mode !== 'hold') {
          await this.expectOk({ kind: 'key', code: keys.hold });
          await this.afterModeChange('hold');
        }
        const r = await this.send({ kind: 'current-channel' });
        if (r.type === 'record') this.tracker.applyRecord(r.record);
        return r.type === 'record' ? { record: r.record } : {};
      }
      case 'channel': {
        const record = await this.expectRecord({ kind: 'goto-channel', channel: a.channel });
        this.tracker.applyRecord(record);
        await this.afterModeChange('manual');
        return { record };
      }
      case 'tune':
        await this.expectOk({ kind: 'tune', frequencyMHz: a.frequencyMHz });
        this.tracker.patch({
          frequencyMHz: a.frequencyMHz,
          channel: null,
          bank: null,
          talkgroup: null,
          trunkSystem: null,
        });
        await this.afterModeChange('manual');
        return {};
      case 'mute':
        await this.expectOk({ kind: 'mute', mode: a.mode });
        return {};
      case 'lockout':
      case 'unlock':
        await this.expectOk({ kind: 'flag', name: 'LO', on: a.action === 'lockout' });
        return {};
      case 'priority':
        await this.expectOk({ kind: 'flag', name: 'PR', on: a.on });
        return {};
      case 'banks': {
        const r = await this.send({ kind: 'banks', banks: a.banks });
        if (r.type !== 'flag' && r.type !== 'ok') this.throwFor(r, 'SB');
        return { banks: r.type === 'flag' ? r.value : a.banks };
      }
      case 'write-channel': {
        const { channel, frequencyMHz, trunk } = a;
        const record = await this.expectRecord({
          kind: 'write-channel',
          channel,
          frequencyMHz,
          trunk,
        });
        this.tracker.applyRecord(record);
        await this.afterModeChange('manual'); // family: a PM write switches to manual (§3.1)
        return { record };
      }
    }
  }

  /** Reads the mode with MD (also the controller's mode poll); ERR turns MD off for good. */
  async refreshMode(): Promise<void> {
    const r = await this.queue.send({ kind: 'mode' }, this.profile.retries);
    if (r.type === 'mode') {
      this.tracker.patch({
        mode: modeFromRaw(this.profile, r.raw),
        modeRaw: r.raw,
        modeSource: 'scanner',
      });
    } else if (r.type === 'err') {
      // §2.1: ERR means the command does not exist on this model; track mode from our commands.
      this.pollMode = false;
      this.logger.warn('scanner answered ERR to MD; mode now follows the commands sent');
    }
  }

  private send(cmd: ScannerCommand): Promise<ScannerLine> {
    // A key press may toggle (HOLD/RESUME), so a lost reply must not lead to a second press.
    return this.queue.send(cmd, cmd.kind === 'key' ? 0 : this.profile.retries);
  }

  private throwFor(r: ScannerLine, what: string): never {
    if (r.type === 'err') throw new ScannerUnsupportedError(what);
    throw new ScannerRejectedError(what);
  }

  private async expectOk(cmd: ScannerCommand): Promise<void> {
    const r = await this.send(cmd);
    if (r.type !== 'ok') this.throwFor(r, cmd.kind);
  }

  private async expectRecord(cmd: ScannerCommand): Promise<ChannelRecord> {
    const r = await this.send(cmd);
    if (r.type !== 'record') this.throwFor(r, cmd.kind);
    return r.record;
  }

  /** Refreshes mode from MD, or records the mode the command implies when MD is unsupported. */
  private async afterModeChange(implied: 'scan' | 'hold' | 'manual'): Promise<void> {
    if (this.pollMode) {
      await this.refreshMode();
      if (this.pollMode) return;
    }
    this.tracker.patch({ mode: implied, modeRaw: null, modeSource: 'command' });
  }
}
