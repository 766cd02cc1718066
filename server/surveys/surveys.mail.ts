// The executor's mail when a resident says on the survey call that the work was not done: sent at
// once through the outbox, in Ukrainian (executors' mail has no language of its own yet).
import { renderMail, mailDate } from '../mail/templates.ts';
import type { OutgoingMail } from '../mail/mail.repo.ts';
import type { MovedAppeal } from '../appeals/survey-moves.repo.ts';
import { translate } from '../../vocabulary/i18n/translate.ts';

export function controlMail(a: MovedAppeal, from: 'done' | 'closed', publicUrl: string): OutgoingMail | null {
  if (!a.executorEmail) return null;
  const lang = 'uk' as const;
  const body = renderMail({
    heading: translate(lang, 'mail.survey.controlHeading', { number: a.number }),
    paragraphs: [translate(lang, from === 'done' ? 'mail.survey.controlText' : 'mail.survey.controlTextClosed'), a.text],
    facts: [[translate(lang, 'mail.survey.number'), a.number], [translate(lang, 'mail.survey.due'), mailDate(a.dueAt, lang)]],
    action: { label: translate(lang, 'mail.survey.open'), url: `${publicUrl.replace(/\/$/, '')}/executor?q=${encodeURIComponent(a.number)}` },
    footer: { text: translate(lang, 'mail.survey.why', { executor: a.executorName }) },
  });
  return { to: a.executorEmail, subject: translate(lang, 'mail.survey.controlSubject', { number: a.number }), ...body, kind: 'survey_control' };
}
