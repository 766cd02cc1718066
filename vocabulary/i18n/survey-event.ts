// One line for a `survey` event of an appeal's history (server/surveys/surveys.repo.ts writes them),
// for any page that lists the history: "Survey call, attempt 2: busy", "No survey call: …".
import { translate, type Locale, type MessageKey } from './translate.ts';

export function describeSurveyEvent(locale: Locale, d: Record<string, unknown>): string {
  const key = (k: string) => k as MessageKey;
  switch (d.step) {
    case 'scheduled': return translate(locale, 'appeal.survey.scheduled');
    case 'skipped': return translate(locale, 'appeal.survey.skipped', { reason: translate(locale, key(`appeal.survey.reason.${String(d.reason)}`)) });
    case 'attempt': {
      let s = translate(locale, 'appeal.survey.attempt', { attempt: Number(d.attempt ?? 1), outcome: translate(locale, key(`appeal.survey.outcome.${String(d.outcome)}`)) });
      if (d.confirmed === true) s += ` — ${translate(locale, 'surveys.confirmed')}${typeof d.rating === 'number' ? `, ${d.rating}/5` : ''}`;
      if (d.confirmed === false) s += ` — ${translate(locale, 'surveys.notConfirmed')}`;
      return s;
    }
    default: {
      // The demo city's older history: { confirmed, rating } without a step.
      if (typeof d.confirmed === 'boolean') {
        const r = typeof d.rating === 'number' ? `, ${d.rating}/5` : '';
        return `${translate(locale, d.confirmed ? 'surveys.confirmed' : 'surveys.notConfirmed')}${d.confirmed ? r : ''}`;
      }
      return translate(locale, 'appeal.survey.scheduled');
    }
  }
}
