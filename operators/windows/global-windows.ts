/**
 * GlobalWindows: every element goes to the one GlobalWindow; its default NeverTrigger never fires, so a
 * custom trigger (e.g. CountTrigger, usually wrapped in PurgingTrigger) is needed. The window never ends,
 * so no cleanup timer is ever registered (cleanup time is Long.MAX_VALUE).
 */
import { TriggerResult, type Trigger } from './trigger.js';
import type { WindowAssigner } from './window-assigner.js';
import { GlobalWindow } from './window.js';

/** Flink's GlobalWindows.NeverTrigger. */
export class NeverTrigger implements Trigger<unknown, GlobalWindow> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
  onMerge(): void {}
}

export class GlobalWindows implements WindowAssigner<unknown, GlobalWindow> {
  private constructor() {}

  static create(): GlobalWindows {
    return new GlobalWindows();
  }

  assignWindows(): GlobalWindow[] {
    return [GlobalWindow.get()];
  }

  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return new NeverTrigger();
  }

  isEventTime(): boolean {
    return false;
  }

  toString(): string {
    return 'GlobalWindows()';
  }
}
