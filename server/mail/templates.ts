// Mail is a text + HTML pair built from the same parts, so both say the same thing.
export type MailLang = 'uk' | 'en';

export interface MailParts {
  heading: string;
  paragraphs: string[];
  /** Titled lists (a digest's new, overdue, due appeals). */
  sections?: { title: string; items: string[] }[];
  /** Key/value lines (time window, address …). */
  facts?: [string, string][];
  action?: { label: string; url: string };
  footer?: { text: string; link?: { label: string; url: string } };
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderMail(p: MailParts): { text: string; html: string } {
  const text = [
    p.heading, '',
    ...p.paragraphs.flatMap((x) => [x, '']),
    ...(p.sections ?? []).flatMap((x) => [`${x.title}:`, ...x.items.map((i) => `• ${i}`), '']),
    ...(p.facts ?? []).map(([k, v]) => `${k}: ${v}`),
    ...(p.facts?.length ? [''] : []),
    ...(p.action ? [`${p.action.label}: ${p.action.url}`, ''] : []),
    '—',
    ...(p.footer ? [p.footer.text, ...(p.footer.link ? [`${p.footer.link.label}: ${p.footer.link.url}`] : [])] : []),
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:Arial,sans-serif;color:#1c2430;max-width:640px">
<h2 style="color:#14508c">${escapeHtml(p.heading)}</h2>
${p.paragraphs.map((x) => `<p>${escapeHtml(x)}</p>`).join('\n')}
${(p.sections ?? []).map((x) => `<h3 style="margin-bottom:4px">${escapeHtml(x.title)}</h3><ul>${x.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`).join('\n')}
${p.facts?.length ? `<table cellpadding="4">${p.facts.map(([k, v]) => `<tr><td style="color:#5a6472">${escapeHtml(k)}</td><td><b>${escapeHtml(v)}</b></td></tr>`).join('')}</table>` : ''}
${p.action ? `<p><a href="${escapeHtml(p.action.url)}" style="background:#14508c;color:#fff;padding:8px 14px;text-decoration:none;border-radius:4px">${escapeHtml(p.action.label)}</a></p>` : ''}
<hr><p style="font-size:12px;color:#5a6472">${p.footer ? escapeHtml(p.footer.text) : ''}${p.footer?.link ? ` <a href="${escapeHtml(p.footer.link.url)}">${escapeHtml(p.footer.link.label)}</a>` : ''}</p>
</body></html>`;
  return { text, html };
}

const TZ = 'Europe/Kyiv';
export const mailDate = (d: Date, lang: MailLang) =>
  d.toLocaleString(lang === 'uk' ? 'uk-UA' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: TZ });
