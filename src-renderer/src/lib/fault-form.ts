// A fault rule as the Settings page edits it (every action kind's fields kept, so switching kinds loses nothing),
// its conversions to and from the contract's FaultRule, and the one-line summary of what a rule does.
// Pure: no Svelte, no DOM, no api module.
import type { FaultAction, FaultRule, FaultStage } from '../../../src-shared/settings.js';
import { compact, nextKey, optNum, optText, uniqueId } from './form-values.js';

export const STAGE_LABELS: Record<FaultStage, string> = {
  connect: 'connect',
  ehlo: 'EHLO',
  auth: 'AUTH',
  mail: 'MAIL FROM',
  rcpt: 'RCPT TO',
  data: 'DATA',
  afterData: 'after DATA',
};
export const ACTION_LABELS: Record<FaultAction['kind'], string> = {
  reply: 'Reply with an error',
  delay: 'Delay',
  drop: 'Drop the connection',
  greylist: 'Greylist',
  throttle: 'Throttle',
};

export interface FaultForm {
  key: number;
  id: string;
  name: string;
  enabled: boolean;
  /** Listener ids; none = every listener. */
  listeners: string[];
  stage: FaultStage;
  sender: string;
  recipient: string;
  authUser: string;
  clientAddress: string;
  nth: number | null;
  every: number | null;
  /** 0..1; empty = always. */
  probability: number | null;
  action: FaultAction['kind'];
  code: number | null;
  enhanced: string;
  text: string;
  ms: number | null;
  seconds: number | null;
  perMinute: number | null;
}

export function toFaultForm(r: FaultRule): FaultForm {
  const a = r.action;
  return {
    key: nextKey(),
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    listeners: [...(r.listeners ?? [])],
    stage: r.match.stage,
    sender: r.match.sender ?? '',
    recipient: r.match.recipient ?? '',
    authUser: r.match.authUser ?? '',
    clientAddress: r.match.clientAddress ?? '',
    nth: r.match.nth ?? null,
    every: r.match.every ?? null,
    probability: r.match.probability ?? null,
    action: a.kind,
    // Each kind's fields start from a sensible value, so switching the kind shows a working rule.
    code: a.kind === 'reply' ? a.code : 550,
    enhanced: a.kind === 'reply' ? (a.enhanced ?? '') : '',
    text: a.kind === 'reply' ? a.text : 'Rejected by a Mailwright fault rule',
    ms: a.kind === 'delay' ? a.ms : 5000,
    seconds: a.kind === 'greylist' ? a.seconds : 60,
    perMinute: a.kind === 'throttle' ? a.perMinute : 10,
  };
}

export function fromFaultForm(f: FaultForm): FaultRule {
  const action = ((): FaultAction => {
    switch (f.action) {
      case 'reply':
        return compact({
          kind: 'reply',
          code: optNum(f.code),
          enhanced: optText(f.enhanced),
          text: f.text.trim(),
        }) as FaultAction;
      case 'delay':
        return compact({ kind: 'delay', ms: optNum(f.ms) }) as FaultAction;
      case 'drop':
        return { kind: 'drop' };
      case 'greylist':
        return compact({ kind: 'greylist', seconds: optNum(f.seconds) }) as FaultAction;
      case 'throttle':
        return compact({ kind: 'throttle', perMinute: optNum(f.perMinute) }) as FaultAction;
    }
  })();
  return compact({
    id: f.id.trim(),
    name: f.name.trim(),
    enabled: f.enabled,
    listeners: f.listeners.length ? [...f.listeners] : undefined,
    match: compact({
      stage: f.stage,
      sender: optText(f.sender),
      recipient: optText(f.recipient),
      authUser: optText(f.authUser),
      clientAddress: optText(f.clientAddress),
      nth: optNum(f.nth),
      every: optNum(f.every),
      probability: optNum(f.probability),
    }),
    action,
  });
}

export function blankRule(takenIds: Iterable<string>): FaultRule {
  return {
    id: uniqueId('rule', takenIds),
    name: 'New rule',
    enabled: true,
    match: { stage: 'rcpt' },
    action: { kind: 'reply', code: 550, enhanced: '5.7.1', text: 'Rejected by a Mailwright fault rule' },
  };
}

/** One line per rule: "reply 552 5.2.2 Mailbox full", "delay 5000 ms", "drop", "greylist 60 s", "throttle 10/min". */
export function actionSummary(a: FaultAction): string {
  switch (a.kind) {
    case 'reply':
      return ['reply', a.code, a.enhanced, a.text].filter((p) => p !== undefined && p !== '').join(' ');
    case 'delay':
      return `delay ${a.ms} ms`;
    case 'drop':
      return 'drop';
    case 'greylist':
      return `greylist ${a.seconds} s`;
    case 'throttle':
      return `throttle ${a.perMinute}/min`;
  }
}
